/**
 * Content detectors for what flows through the gateway (issue 15 §2): each counts occurrences in a text
 * and never returns the matched value. Each detector yields the labels listed here when it finds at
 * least one occurrence.
 */
import { countCards } from "./card.ts";
import { countEmails } from "./email.ts";
import { countIbans } from "./iban.ts";
import { countPhones } from "./phone.ts";
import { countSecrets } from "./secrets.ts";
import { countSsns } from "./ssn.ts";

export type DetectorName = "email" | "phone" | "payment_card" | "iban" | "us_ssn" | "secrets";

export interface Detector {
  name: DetectorName;
  /** Labels the session gains when the detector finds something. */
  labels: string[];
  count: (text: string) => number;
}

export const DETECTORS: readonly Detector[] = [
  { name: "email", labels: ["pii"], count: countEmails },
  { name: "phone", labels: ["pii"], count: countPhones },
  { name: "payment_card", labels: ["pii", "financial"], count: countCards },
  { name: "iban", labels: ["pii", "financial"], count: countIbans },
  { name: "us_ssn", labels: ["pii"], count: countSsns },
  { name: "secrets", labels: ["secrets"], count: countSecrets },
];

/** What an admin may turn off (a detector, or a label: every detector yielding it), sorted. */
export const DETECTOR_SWITCHES: readonly string[] = [...new Set(DETECTORS.flatMap((d) => [d.name, ...d.labels]))].sort();
