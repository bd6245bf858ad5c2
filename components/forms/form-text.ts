/** A text field of a submitted form ("" when absent; a file is not text). */
export function formText(f: FormData, name: string): string {
  const v = f.get(name);
  return typeof v === "string" ? v : "";
}
