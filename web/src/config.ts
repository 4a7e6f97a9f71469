/** Where the services are, read from ``config.json`` beside the page: one build, any stack. */
export interface LocalAccount {
  role: string;
  municipality: string;
  token: string;
}

export interface Config {
  registry: string;
  roadmaps: string;
  notifications: string;
  mail?: string;
  environment?: string;
  /** An identity provider's sign-in page; it returns with ``#access_token=…``. */
  sign_in_url?: string;
  /** Local and test stacks only: the accounts ``make run`` prints. */
  tokens?: LocalAccount[];
}

let loaded: Config | null = null;

export async function loadConfig(): Promise<Config> {
  const response = await fetch("./config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  loaded = (await response.json()) as Config;
  return loaded;
}

export function config(): Config {
  if (!loaded) throw new Error("config.json not loaded");
  return loaded;
}
