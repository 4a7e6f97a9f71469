/** The shapes the services answer with, as far as the pages read them. */
export type Names = Record<string, string>;

export interface Page<T> {
  items: T[];
  total?: number;
}

export interface Municipality {
  id: string;
  names: Names;
  country: "MA" | "BE";
}

export interface Member {
  id: string;
  name: string;
  email: string;
  municipality_id: string;
  role?: string;
  language?: string;
}

export interface Partnership {
  id: string;
  name: Names;
  moroccan_municipality_id: string;
  belgian_municipality_id: string;
  themes: string[];
  status: "active" | "suspended" | "closed";
  phases?: string[];
  partners_since?: number;
  members?: Member[];
}

export interface Milestone {
  id: string;
  partnership_id: string;
  title: Names;
  due_date: string;
  responsible_municipality_id: string;
  target: string | null;
  objective_id: string | null;
  status: "planned" | "in_progress" | "reached" | "overdue" | "cancelled";
  progress: number;
  reached_on: string | null;
  example?: boolean;
  /** Who the milestone's work has reached so far, by group and sex, as last reported. */
  beneficiaries?: { group: string; sex: string; count: number }[];
}

export interface DimensionValue {
  group?: string | null;
  sex?: string | null;
  value?: number | null;
  text?: string | null;
}

export interface Indicator {
  indicator_id: string;
  objective_id: string | null;
  title: Names;
  measure: string;
  unit: string | null;
  periods: { period_id: string; start: string; end: string; targets: DimensionValue[]; actuals: DimensionValue[] }[];
}

export interface Objective {
  objective_id: string;
  theme: string;
  title: Names;
  progress: number;
  milestones: Milestone[];
  indicators: Indicator[];
}

export interface Roadmap {
  partnership_id: string;
  phase: string;
  progress: number;
  milestones_counted: number;
  milestones_reached: number;
  example?: boolean;
  objectives: Objective[];
  milestones_without_objective: Milestone[];
  indicators_without_objective: Indicator[];
  /** Files attached to the roadmap's reports; absent from a roadmaps service that keeps none. */
  evidence?: RoadmapEvidence[];
}

export interface Phase {
  phase_id: string;
  start: string;
  end: string;
  status: "planned" | "running" | "closed";
  evaluated?: boolean;
}

export interface Dashboard {
  phase: string;
  phases?: Phase[];
  progress: number;
  partnerships: Record<string, number>;
  themes: Record<string, number>;
  milestones: number;
  milestones_reached: number;
  example_milestones?: number;
  beneficiaries: { group: string; sex: string; reached: number; target: number | null }[];
}

export interface HistoryEntry {
  at: string;
  what: string;
  who: { id?: string; kind?: string } | null;
  status?: string;
  reason?: string | null;
  change?: Record<string, unknown>;
}

export interface Submission {
  submission_id: string;
  status: "received" | "applied" | "rejected";
  reason?: string | null;
  code?: string | null;
}

export type EvidenceSubject = "progress" | "indicator_value" | "evaluation";

/** A file attached as evidence of a progress report, an indicator value or an evaluation. */
export interface Evidence {
  evidence_id: string;
  name: string;
  media_type: string;
  size: number;
  sha256: string;
  thumbnail: boolean;
  subject: EvidenceSubject;
  report_submission_id: string;
  milestone_id: string | null;
  indicator_id: string | null;
  period_id: string | null;
  phase: string | null;
}

/** Evidence as a roadmap lists it: with its subject's title and who attached it when. */
export interface RoadmapEvidence extends Evidence {
  title: Names;
  attached_at: string;
  attached_by: string | null;
  links: { download: string; thumbnail: string | null };
}

/** The registry's answer to an upload: a submission of its own, followed like any other. */
export interface EvidenceAccepted {
  submission_id: string;
  status: Submission["status"];
  links: { self: string; download: string };
  evidence: Evidence;
}
