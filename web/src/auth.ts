/** The signed-in person: a bearer token and the claims it carries.

The services verify the token; the page only reads its claims to know whom to greet and
which buttons make sense. Kept in sessionStorage: closing the tab signs out.
*/
export interface Claims {
  sub: string;
  role: "coordinator" | "officer" | "viewer";
  municipality_id?: string;
  language?: string;
  exp?: number;
}

const STORAGE_KEY = "imc-hub.token";

/** Why a token cannot be used, as a key of the reader's messages (``token.*``). */
export type TokenProblem = "token.notJwt" | "token.unreadable" | "token.noRole" | "token.expired" | "invalid.required";

export class InvalidToken extends Error {
  constructor(readonly problem: TokenProblem) {
    super(problem);
  }
}

export function readClaims(token: string): Claims {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || !parts[1]) throw new InvalidToken("token.notJwt");
  let claims: Claims;
  try {
    const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    claims = JSON.parse(new TextDecoder().decode(bytes)) as Claims;
  } catch {
    throw new InvalidToken("token.unreadable");
  }
  if (!claims.sub || !claims.role) throw new InvalidToken("token.noRole");
  if (claims.exp !== undefined && claims.exp * 1000 < Date.now()) throw new InvalidToken("token.expired");
  return claims;
}

export function signIn(token: string): Claims {
  const claims = readClaims(token);
  sessionStorage.setItem(STORAGE_KEY, token.trim());
  return claims;
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

export function currentToken(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function currentClaims(): Claims | null {
  const token = currentToken();
  if (!token) return null;
  try {
    return readClaims(token);
  } catch {
    signOut();
    return null;
  }
}

/** May the signed-in person publish updates about a partnership of these municipalities? */
export function mayEdit(claims: Claims | null, municipalityIds: string[]): boolean {
  if (!claims) return false;
  if (claims.role === "coordinator") return true;
  return claims.role === "officer" && !!claims.municipality_id && municipalityIds.includes(claims.municipality_id);
}

/** May the signed-in person open a partnership's files? Its partners, the coordinators and
the programme's viewers; an officer of another partnership reads its roadmap, not its files.
The registry decides; the page only spares itself previews it would be refused. */
export function mayReadFiles(claims: Claims | null, municipalityIds: string[]): boolean {
  if (!claims) return false;
  if (claims.role === "coordinator" || claims.role === "viewer") return true;
  return !!claims.municipality_id && municipalityIds.includes(claims.municipality_id);
}

/** A token handed back by an identity provider in the URL fragment, taken once. */
export function takeTokenFromFragment(): string | null {
  const match = /[#&]access_token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return null;
  history.replaceState(null, "", location.pathname + location.search);
  return decodeURIComponent(match[1]);
}
