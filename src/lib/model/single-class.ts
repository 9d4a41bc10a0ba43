/**
 * The share of rows given one class above which a model is said to predict a single class: its
 * accuracy then says no more than the class balance (the Train tab), and its errors are the
 * other classes' rows (the Blind spots report). A module of its own so that pages import it
 * without the training code.
 */
export const SINGLE_CLASS_SHARE = 0.99;
