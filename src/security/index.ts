/**
 * Security: users and API tokens, password hashing, encryption at rest of connections and
 * variables (with key rotation), and masking of secrets in task logs and API output.
 */
export { checkPassword, DEFAULT_SCRYPT_PARAMS, generatePassword, hashPassword, needsRehash, PasswordError, verifyPasswordHash } from './passwords.ts';
export type { ScryptParams } from './passwords.ts';
export {
  checkUsername, countUsers, createUser, deleteUser, getUser, getUserById, listUsers, resetPassword, touchLastLogin, updateUser, UserError, verifyPassword,
} from './users.ts';
export type { NewUser, User, UserPatch } from './users.ts';
export { createApiToken, hashApiToken, listApiTokens, revokeApiToken, revokeApiTokenById, TOKEN_PREFIX, userForApiToken } from './api-tokens.ts';
export type { ApiToken, CreatedApiToken } from './api-tokens.ts';
export { DecryptionError, FernetKeyError, generateFernetKey, KeyRing } from './encryption.ts';
export { defaultKeyRing, ensureFernetKey, FERNET_KEY_FILE, fernetKeyRing, SECRET_KEY_FILE, sessionSecret, useKeyRing } from './keys.ts';
export { configuredSecureStore, SecureStore, secureStore } from './secure-store.ts';
export type { PlainConnection, PlainVariable, SecureStoreOptions } from './secure-store.ts';
export { rotateFernetKey } from './rotate.ts';
export type { RotationReport } from './rotate.ts';
export {
  DEFAULT_SENSITIVE_NAMES, isSensitiveName, MASK, maskConnectionExtra, maskVariable, redactSecrets, redactSensitiveFields, SecretsMasker, secretsMasker, setSensitiveNames,
} from './masking.ts';
export { maskFetchedSecrets } from './task-masking.ts';
export { ADMIN_PASSWORD_FILE, describeStandaloneSecurity, prepareStandalone, STANDALONE_ADMIN } from './standalone.ts';
export type { StandaloneSecurity } from './standalone.ts';
export { databaseUserStore } from './api-user-store.ts';
