"use client";

import { useRef } from "react";
import { dangerButtonClass, secondaryButtonClass } from "./fields";

/**
 * A button that asks for confirmation in a native <dialog> (focus is trapped and Escape cancels) before
 * running `onConfirm`. `details` says exactly what will happen.
 */
export function ConfirmButton({
  label,
  title,
  details,
  confirmLabel,
  onConfirm,
  disabled,
  danger,
  className,
  confirmDisabled,
}: {
  label: string;
  title: string;
  details: React.ReactNode;
  confirmLabel: string;
  onConfirm: () => unknown;
  disabled?: boolean;
  danger?: boolean;
  className?: string;
  /** The confirm button is disabled (e.g. until a required reason is written in `details`). */
  confirmDisabled?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  return (
    <>
      <button
        type="button"
        disabled={disabled}
        onClick={() => ref.current?.showModal()}
        className={className ?? (danger ? dangerButtonClass : secondaryButtonClass)}
      >
        {label}
      </button>
      <ConfirmDialog
        dialogRef={ref}
        title={title}
        details={details}
        confirmLabel={confirmLabel}
        onConfirm={onConfirm}
        danger={danger}
        confirmDisabled={confirmDisabled}
      />
    </>
  );
}

/**
 * The confirmation dialog of ConfirmButton, for a change started by another control (e.g. a select):
 * open it with `dialogRef.current.showModal()`. Cancel (focused first) and Escape close it unchanged.
 */
export function ConfirmDialog({
  dialogRef: ref,
  title,
  details,
  confirmLabel,
  onConfirm,
  danger,
  confirmDisabled,
}: {
  dialogRef: React.RefObject<HTMLDialogElement | null>;
  title: string;
  details: React.ReactNode;
  confirmLabel: string;
  onConfirm: () => unknown;
  danger?: boolean;
  confirmDisabled?: boolean;
}) {
  return (
    <dialog
      ref={ref}
      className="m-auto max-w-2xl rounded-lg border border-slate-300 p-0 shadow-xl backdrop:bg-slate-900/40 dark:backdrop:bg-black/60"
      aria-label={title}
    >
      <div className="space-y-3 p-5">
        <h2 className="text-lg font-semibold">{title}</h2>
        <div className="text-sm text-slate-800">{details}</div>
        <div className="flex justify-end gap-2 pt-2">
          <button type="button" onClick={() => ref.current?.close()} className={secondaryButtonClass} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            disabled={confirmDisabled}
            onClick={async () => {
              ref.current?.close();
              await onConfirm();
            }}
            className={danger ? dangerButtonClass : "rounded bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-800"}
          >
            {confirmLabel}
          </button>
        </div>
      </div>
    </dialog>
  );
}
