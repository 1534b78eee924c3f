/**
 * A throwaway TLS identity for a test broker's SASL_SSL listener (scripts/kafka/broker.ts): a key and a
 * self-signed certificate for 127.0.0.1 in a PKCS#12 keystore, made by keytool (it ships with the JDK the
 * broker runs on), and the certificate as PEM for the clients that should trust it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BrokerTlsIdentity {
  keystore: { path: string; password: string };
  certificatePem: string;
}

export async function createBrokerTlsIdentity(dir: string): Promise<BrokerTlsIdentity> {
  const keystore = { path: join(dir, 'broker.p12'), password: randomBytes(12).toString('hex') };
  const store = ['-keystore', keystore.path, '-storetype', 'PKCS12', '-storepass', keystore.password, '-alias', 'broker'];
  await run('keytool', ['-genkeypair', ...store, '-keypass', keystore.password, '-keyalg', 'EC', '-groupname', 'secp256r1',
    '-validity', '2', '-dname', 'CN=127.0.0.1', '-ext', 'SAN=ip:127.0.0.1,dns:localhost']);
  const { stdout: certificatePem } = await run('keytool', ['-exportcert', '-rfc', ...store]);
  return { keystore, certificatePem };
}
