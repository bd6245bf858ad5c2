"use client";

import { ConfirmButton } from "./confirm-button";
import { ErrorMessage } from "./fields";
import { useApiAction } from "./use-api-action";

/**
 * A dangerous change (revoke a token or key) behind a confirmation dialog: `label` opens it, `details`
 * says what will happen, `confirmLabel` POSTs `{}` to `path` through `callApi`; the API's error shows under it.
 */
export function ConfirmAction({
  label,
  title,
  details,
  confirmLabel,
  path,
}: {
  label: string;
  title: string;
  details: React.ReactNode;
  confirmLabel: string;
  path: string;
}) {
  const { error, run } = useApiAction();
  return (
    <>
      <ConfirmButton label={label} danger title={title} details={details} confirmLabel={confirmLabel} onConfirm={() => run(path)} />
      <ErrorMessage error={error} />
    </>
  );
}
