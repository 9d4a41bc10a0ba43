/** The DICOM panel in the address bar (`?dicom`). */

const PARAM = 'dicom';

/** True when the address shows the DICOM panel. */
export function dicomAddress(): boolean {
  return new URLSearchParams(window.location.search).has(PARAM);
}

/** Records the DICOM panel in the address bar (a new history entry), or leaves it. */
export function setDicomAddress(on: boolean): void {
  const next = new URL(window.location.href);
  if (on) next.searchParams.set(PARAM, '');
  else next.searchParams.delete(PARAM);
  if (next.href !== window.location.href) window.history.pushState(null, '', next);
}
