import { useEffect, type RefObject } from 'react';

/**
 * Opens a <dialog> as a modal for as long as the component lives (the browser traps focus
 * inside it and Escape closes it), puts focus on its `data-autofocus` element (else the
 * browser's choice: the first focusable one) and gives it back to whatever had it before.
 */
export function useModal(dialog: RefObject<HTMLDialogElement | null>): void {
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const el = dialog.current;
    // Unmounting removes the dialog from the top layer; closing here would fire onClose.
    if (el && !el.open) el.showModal();
    el?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, [dialog]);
}
