/**
 * Keyboard focus for the app's modal dialogs (`use:modalFocus` on the element with
 * `role="dialog" aria-modal="true"`): the dialog takes the focus when it opens, Tab and
 * Shift+Tab cycle through its own controls, and the focus goes back where it was when it
 * closes. Without it the focus stayed on what opened the dialog, behind the backdrop: Tab
 * walked the page underneath, Enter on the tile that had opened the image opened it again, and
 * with the SQL editor focused, typing went into the query while the viewer took the same keys.
 */
const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), ' +
  'textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), [contenteditable="true"]';

export function modalFocus(node: HTMLElement): { destroy: () => void } {
  const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  if (!node.hasAttribute('tabindex')) node.tabIndex = -1;
  node.focus({ preventScroll: true });

  function trap(e: KeyboardEvent) {
    if (e.key !== 'Tab') return;
    const all = [...node.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
      (el) => el.getClientRects().length > 0,
    );
    const first = all[0];
    const last = all[all.length - 1];
    if (!first || !last) {
      e.preventDefault();
      return;
    }
    const at = document.activeElement;
    if (e.shiftKey && (at === first || at === node)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && at === last) {
      e.preventDefault();
      first.focus();
    }
  }
  node.addEventListener('keydown', trap);
  return {
    destroy() {
      node.removeEventListener('keydown', trap);
      // Back to what opened it, if that is still on the page (a grid may have re-rendered).
      if (before?.isConnected) before.focus({ preventScroll: true });
    },
  };
}
