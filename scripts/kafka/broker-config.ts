/**
 * How the local broker (broker.ts) is laid out and configured: the files under its data dir, the JVM options,
 * server.properties for a single KRaft node, and log4j2 properties sending its log to a file.
 */
import { join } from 'node:path';
import type { SaslSslListener } from './broker.js';

/** Fixed for local use: any 16 bytes in base64url; these spell "patient-mgmt-dev". */
export const clusterId = 'cGF0aWVudC1tZ210LWRldg';

export function brokerPaths(dataDir: string) {
  return {
    kraftDir: join(dataDir, 'kraft-logs'),
    logsDir: join(dataDir, 'logs'),
    serverLog: join(dataDir, 'logs', 'server.log'),
    consoleLog: join(dataDir, 'logs', 'console.log'),
    serverProperties: join(dataDir, 'server.properties'),
    log4jProperties: join(dataDir, 'log4j2.properties'),
    pidFile: pidFilePath(dataDir),
  };
}

export function pidFilePath(dataDir: string): string {
  return join(dataDir, 'broker.pid');
}

export function jvmOptions(paths: ReturnType<typeof brokerPaths>): string[] {
  return [
    '-Xms128m',
    '-Xmx512m',
    // A local broker does little work: the client compiler alone and the serial collector start faster
    // and leave the 2 cores to the tests.
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-Djava.awt.headless=true',
    // Kafka logs its own shutdown; log4j2's shutdown hook would close the log before that.
    '-Dlog4j2.shutdownHookEnabled=false',
    `-Dlog4j2.configurationFile=${paths.log4jProperties}`,
  ];
}

export function serverProperties(port: number, controllerPort: number, kraftDir: string, saslSsl?: SaslSslListener): string {
  const clientListeners = [`PLAINTEXT://127.0.0.1:${port}`, ...(saslSsl ? [`SASL_SSL://127.0.0.1:${saslSsl.port}`] : [])];
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=${[...clientListeners, `CONTROLLER://127.0.0.1:${controllerPort}`].join(',')}`,
    `advertised.listeners=${clientListeners.join(',')}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${saslSsl ? ',SASL_SSL:SASL_SSL' : ''}`,
    ...(saslSsl ? saslSslProperties(saslSsl) : []),
    `log.dirs=${kraftDir}`,
    // Topics exist only when the project declares them (ensureTopics), as in the deployed cluster.
    'auto.create.topics.enable=false',
    'num.partitions=3',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    // One partition instead of 50 for the internal topics: a group's first join creates them, and faster.
    'offsets.topic.num.partitions=1',
    'transaction.state.log.num.partitions=1',
    'num.network.threads=2',
    'num.io.threads=2',
  ].join('\n')}\n`;
}

function saslSslProperties({ keystore }: SaslSslListener): string[] {
  return [
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${keystore.path}`,
    `ssl.keystore.password=${keystore.password}`,
    `ssl.key.password=${keystore.password}`,
  ];
}

export function log4jProperties(logsDir: string): string {
  return `${[
    'appender.file.type=RollingFile',
    'appender.file.name=file',
    `appender.file.fileName=${join(logsDir, 'server.log')}`,
    `appender.file.filePattern=${join(logsDir, 'server.log.%i')}`,
    'appender.file.layout.type=PatternLayout',
    'appender.file.layout.pattern=[%d] %p %m (%c)%n',
    'appender.file.policies.type=Policies',
    'appender.file.policies.size.type=SizeBasedTriggeringPolicy',
    'appender.file.policies.size.size=10MB',
    'appender.file.strategy.type=DefaultRolloverStrategy',
    'appender.file.strategy.max=2',
    'rootLogger.level=INFO',
    'rootLogger.appenderRef.file.ref=file',
  ].join('\n')}\n`;
}
