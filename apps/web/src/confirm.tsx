import { ReactNode, useEffect, useId, useRef, useState } from 'react';

/**
 * Focus moves into a dialog when it opens and back to what had it (the button that opened it)
 * when it closes, so a keyboard user is never dropped at the top of the page.
 */
export function useReturnFocus<T extends HTMLElement>() {
  const box = useRef<T>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    // The first field to fill in, else the safe choice (never the destructive button).
    const target =
      box.current?.querySelector<HTMLElement>('input, select, textarea, [data-autofocus]') ?? box.current;
    target?.focus();
    return () => {
      if (opener && opener.isConnected && !(opener as HTMLButtonElement).disabled) opener.focus();
    };
  }, []);
  return box;
}

/**
 * An inline confirmation: says what will happen, then Confirm / Keep as it is. With `typed`, the
 * Confirm button stays disabled until exactly that text (a hostname) has been typed — for actions
 * that erase something.
 */
export function ConfirmPanel({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  typed,
  busy = false,
  danger = false,
  extra,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Called with what was typed (the server checks it again). */
  onConfirm: (typedText: string) => void;
  onCancel: () => void;
  typed?: string;
  busy?: boolean;
  danger?: boolean;
  /** Form fields between the explanation and the typed confirmation (choices for the action). */
  extra?: ReactNode;
}) {
  const [text, setText] = useState('');
  const titleId = useId();
  const box = useReturnFocus<HTMLDivElement>();
  const matches = typed === undefined || text.trim() === typed;
  return (
    <div
      ref={box}
      tabIndex={-1}
      className="notice confirm"
      role="alertdialog"
      aria-labelledby={titleId}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <h3 id={titleId}>{title}</h3>
      {children}
      {extra}
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (matches && !busy) onConfirm(text.trim());
        }}
      >
        {typed !== undefined && (
          <label>
            Type {typed} to confirm
            <input
              value={text}
              onChange={(e) => setText(e.target.value)}
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
            />
          </label>
        )}
        <p className="inline">
          <button type="submit" className={danger ? 'danger' : undefined} disabled={!matches || busy}>
            {confirmLabel}
          </button>
          <button type="button" className="secondary" data-autofocus onClick={onCancel}>
            Keep as it is
          </button>
        </p>
      </form>
    </div>
  );
}
