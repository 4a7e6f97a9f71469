/** The services' public HTTP APIs, called with the signed-in person's bearer token. */
import { currentToken } from "./auth";
import { config } from "./config";
import { language } from "./i18n";

export type Service = "registry" | "roadmaps" | "notifications";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** What a 4xx body says, in words: FastAPI's ``detail`` is a string or a list of problems. */
function describe(body: unknown, status: number): ApiError {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === "string") return new ApiError(status, detail);
  if (Array.isArray(detail)) {
    const problems = detail.map((item: { loc?: unknown[]; msg?: string }) => ({
      field: (item.loc ?? []).filter((part) => part !== "body").join("."),
      message: item.msg ?? "",
    }));
    return new ApiError(status, problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join("; "), problems);
  }
  return new ApiError(status, `HTTP ${status}`);
}

async function request(service: Service, path: string, init: RequestInit = {}): Promise<Response> {
  const base = config()[service];
  const headers = new Headers(init.headers);
  const token = currentToken();
  if (token) headers.set("Authorization", `Bearer ${token}`);
  // Answers (a rejection's reason, say) come in the language on screen, not the account's.
  headers.set("Accept-Language", language());
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { ...init, headers });
  } catch {
    throw new ApiError(0, `${base}`);
  }
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    throw describe(body, response.status);
  }
  return response;
}

export async function get<T>(service: Service, path: string): Promise<T> {
  return (await (await request(service, path)).json()) as T;
}

export async function send<T>(
  service: Service,
  method: "POST" | "PUT" | "PATCH",
  path: string,
  body: unknown,
  idempotencyKey?: string,
): Promise<T> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const response = await request(service, path, { method, headers, body: JSON.stringify(body) });
  return (await response.json()) as T;
}

/** Send a file as ``multipart/form-data`` in the field ``field``; the browser writes the
boundary into ``Content-Type`` itself, so none is set here. */
export async function upload<T>(
  service: Service,
  path: string,
  field: string,
  file: File,
  idempotencyKey?: string,
): Promise<T> {
  const body = new FormData();
  body.append(field, file, file.name);
  const headers: Record<string, string> = {};
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const response = await request(service, path, { method: "POST", headers, body });
  return (await response.json()) as T;
}

/** A file the services only hand out with the token (an <img src> or a link cannot send it). */
export async function fetchBlob(service: Service, path: string): Promise<Blob> {
  return (await request(service, path)).blob();
}

/** Hand a file already fetched to the browser as a download named ``filename``. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Fetch a file with the token and hand it to the browser as a download. */
export async function download(service: Service, path: string, filename: string): Promise<void> {
  saveBlob(await fetchBlob(service, path), filename);
}
