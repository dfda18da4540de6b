/**
 * Authentication for the REST API: the `Authenticator` (HTTP Basic, API tokens, session
 * cookies), the login/logout routes, the backoff for failed sign-ins, and the audit middleware.
 */
export { createAuthenticator } from './authenticator.ts';
export type { AuthenticatorOptions, BatonAuthenticator, LoginOutcome } from './authenticator.ts';
export { authRoutes } from './routes.ts';
export { auditMutations, redactBody } from './audit.ts';
export type { AuditOptions } from './audit.ts';
export { LoginLimiter } from './login-limiter.ts';
export type { LoginLimiterOptions } from './login-limiter.ts';
export { passwordFingerprint, SessionSigner } from './session.ts';
export type { SessionClaims } from './session.ts';
