import path from 'node:path';
import { readD1Migrations } from '@cloudflare/vitest-plugin';
import testKeys from './fixtures/test-jwks.json';

/**
 * Bindings every test project gives the Worker. Tests never read .dev.vars (absent in CI), so
 * whatever a secret would provide is here, with test-only values.
 */
export async function testBindings() {
  return {
    ENVIRONMENT: 'test',
    JWT_JWKS: JSON.stringify(testKeys.signing),
    PROVIDER_USER_ID_SECRET: 'test-only-provider-user-id-secret-0123456789',
    // A busy test machine must not turn a slow document search into a flaky test.
    DOCUMENT_SEARCH_GRACE_MS: '2000',
    // A fixed 32-byte key (test only) for sealing TOTP secrets.
    MFA_ENCRYPTION_KEYS: 'test1:dGVzdC1vbmx5LW1mYS1rZXktMDEyMzQ1Njc4OWFiY2Q=',
    TEST_MIGRATIONS: await readD1Migrations(path.join(import.meta.dirname, '..', 'migrations')),
  };
}
