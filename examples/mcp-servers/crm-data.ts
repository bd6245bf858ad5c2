/** Fictional customers of the demo CRM (phone numbers in the reserved 555-01xx range, .example domains). */
export interface Customer {
  id: string;
  name: string;
  email: string;
  phone: string;
  address: string;
  company: string;
  plan: "starter" | "team" | "business" | "enterprise";
  created_at: string;
  notes: string;
  history: Array<{ at: string; previous: Partial<Record<"email" | "phone" | "address" | "notes", string>> }>;
}

type Seed = Omit<Customer, "history">;

const SEED: Seed[] = [
  {
    id: "cus_1001",
    name: "Amelia Hartmann",
    email: "amelia.hartmann@northwind.example",
    phone: "+1 415 555 0101",
    address: "1450 Mission St, San Francisco, CA 94103",
    company: "Northwind Traders",
    plan: "enterprise",
    created_at: "2023-02-14",
    notes: "Renewal due in October; prefers email.",
  },
  {
    id: "cus_1002",
    name: "Kenji Watanabe",
    email: "k.watanabe@fabrikam.example",
    phone: "+1 206 555 0117",
    address: "401 Pine St, Seattle, WA 98101",
    company: "Fabrikam",
    plan: "business",
    created_at: "2023-05-02",
    notes: "Asked about SSO pricing.",
  },
  {
    id: "cus_1003",
    name: "Priya Raman",
    email: "priya@contoso.example",
    phone: "+1 512 555 0123",
    address: "600 Congress Ave, Austin, TX 78701",
    company: "Contoso Ltd",
    plan: "team",
    created_at: "2023-07-19",
    notes: "",
  },
  {
    id: "cus_1004",
    name: "Lucas Moreau",
    email: "lucas.moreau@alpineski.example",
    phone: "+33 1 55 50 01 04",
    address: "12 Rue de Rivoli, 75004 Paris, France",
    company: "Alpine Ski House",
    plan: "starter",
    created_at: "2023-09-30",
    notes: "Trial extended once.",
  },
  {
    id: "cus_1005",
    name: "Fatima Al-Sayed",
    email: "fatima.alsayed@woodgrove.example",
    phone: "+1 646 555 0145",
    address: "200 Park Ave, New York, NY 10166",
    company: "Woodgrove Bank",
    plan: "enterprise",
    created_at: "2022-11-08",
    notes: "Security review every quarter; DPA signed.",
  },
  {
    id: "cus_1006",
    name: "Tomasz Nowak",
    email: "tnowak@litware.example",
    phone: "+48 22 555 01 06",
    address: "ul. Marszalkowska 10, 00-590 Warszawa, Poland",
    company: "Litware Inc",
    plan: "team",
    created_at: "2024-01-22",
    notes: "",
  },
  {
    id: "cus_1007",
    name: "Grace Okafor",
    email: "grace.okafor@tailspin.example",
    phone: "+1 312 555 0177",
    address: "233 S Wacker Dr, Chicago, IL 60606",
    company: "Tailspin Toys",
    plan: "business",
    created_at: "2024-03-11",
    notes: "Champion: VP Engineering.",
  },
  {
    id: "cus_1008",
    name: "Mateo Fernández",
    email: "mateo.fernandez@adventureworks.example",
    phone: "+34 91 555 01 08",
    address: "Calle de Alcalá 45, 28014 Madrid, Spain",
    company: "Adventure Works",
    plan: "starter",
    created_at: "2024-04-05",
    notes: "",
  },
  {
    id: "cus_1009",
    name: "Sofia Lindqvist",
    email: "sofia.lindqvist@proseware.example",
    phone: "+46 8 555 010 09",
    address: "Kungsgatan 8, 111 43 Stockholm, Sweden",
    company: "Proseware",
    plan: "team",
    created_at: "2024-06-17",
    notes: "Invoices to accounts payable.",
  },
  {
    id: "cus_1010",
    name: "Daniel Cohen",
    email: "dcohen@wingtip.example",
    phone: "+1 617 555 0190",
    address: "100 Federal St, Boston, MA 02110",
    company: "Wingtip Toys",
    plan: "business",
    created_at: "2024-08-29",
    notes: "Escalation in May resolved.",
  },
  {
    id: "cus_1011",
    name: "Aisha Bello",
    email: "aisha.bello@fourthcoffee.example",
    phone: "+44 20 7946 0111",
    address: "1 Poultry, London EC2R 8EJ, United Kingdom",
    company: "Fourth Coffee",
    plan: "enterprise",
    created_at: "2025-01-13",
    notes: "Data residency: EU only.",
  },
  {
    id: "cus_1012",
    name: "Henrik Larsen",
    email: "henrik@blueyonder.example",
    phone: "+45 32 55 01 12",
    address: "Vesterbrogade 3, 1620 København, Denmark",
    company: "Blue Yonder Airlines",
    plan: "team",
    created_at: "2025-03-03",
    notes: "",
  },
];

/** A fresh, mutable copy of the demo customer list. */
export function demoCustomers(): Customer[] {
  return SEED.map((c) => ({ ...c, history: [] }));
}
