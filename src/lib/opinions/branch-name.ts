/**
 * The branch opinions are written to unless the user picks another; alone in its module so that
 * the command line's help (src/cli/help.ts) names it without loading the opinions model.
 */
export const DEFAULT_OPINIONS_BRANCH = 'labels';
