import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workerEnv } from '../../src/config/worker-env.js';

interface Service {
  image?: string;
  build?: unknown;
  healthcheck?: { test?: unknown };
  environment?: Record<string, string | number>;
  ports?: string[];
  restart?: string;
  depends_on?: Record<string, { condition: string }> | string[];
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
const services = compose.services;

describe('docker-compose.yml, for users who have Docker', () => {
  it('runs the whole loop: Kafka, MongoDB, the worker, the executor, an optional load generator, kafka-exporter, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual([
      'executor',
      'grafana',
      'kafka',
      'kafka-exporter',
      'load',
      'mongo',
      'prometheus',
      'worker',
    ]);
    expect((services['load'] as { profiles?: string[] }).profiles).toEqual(['load']);
    expect(services['kafka-exporter']?.image).toMatch(/^danielqsj\/kafka-exporter:v/);
  });

  it('gives Prometheus the whole ops/prometheus folder, so it loads the alert rules, and scrapes every process', () => {
    expect(JSON.stringify(services['prometheus'])).toContain('./ops/prometheus:/etc/prometheus');
    const config = parse(readFileSync('ops/prometheus/prometheus.yml', 'utf8')) as {
      rule_files: string[];
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual(['rules/*.yml']);
    const targets = config.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    const executorPort = String(services['executor']?.environment?.['EXECUTOR_METRICS_PORT']);
    expect(targets).toEqual(expect.arrayContaining([`executor:${executorPort}`, 'kafka-exporter:9308']));
    expect(services['executor']?.ports).toContain(`${executorPort}:${executorPort}`);
  });

  it('names in README every service it runs', () => {
    const readme = readFileSync('README.md', 'utf8').toLowerCase();
    const missing = Object.keys(services).filter((name) => !readme.includes(name));
    expect(missing).toEqual([]);
  });

  it('pins every image to a version tag', () => {
    for (const [name, s] of Object.entries(services)) {
      const image = s.image ?? '';
      expect(image, name).toMatch(/:v?[0-9][\w.-]*$/);
      expect(image, name).not.toMatch(/:latest$/);
    }
    expect(services['kafka']?.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(services['mongo']?.image).toMatch(/^mongo:7\./);
  });

  it('gives every service a healthcheck and a restart policy', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.test, name).toBeDefined();
      expect(s.restart, name).toBe('unless-stopped');
    }
  });

  it('runs MongoDB as a single-node replica set and Kafka in KRaft mode without auto-created topics', () => {
    expect(JSON.stringify(services['mongo'])).toContain('--replSet');
    const kafka = services['kafka']?.environment ?? {};
    expect(kafka['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(kafka['KAFKA_AUTO_CREATE_TOPICS_ENABLE']).toBe('false');
  });

  it('starts the worker only after Kafka and MongoDB are healthy', () => {
    expect(services['worker']?.depends_on).toEqual({
      kafka: { condition: 'service_healthy' },
      mongo: { condition: 'service_healthy' },
    });
  });

  it('gives the worker exactly variables it decodes, every required one included, with valid values', () => {
    const given = services['worker']?.environment ?? {};
    const known = Object.keys(workerEnv);
    for (const name of Object.keys(given)) expect(known, name).toContain(name);
    for (const [name, spec] of Object.entries(workerEnv)) {
      if (spec.fallback === undefined) expect(given[name], name).toBeDefined();
    }
    for (const [name, value] of Object.entries(given)) {
      const spec = workerEnv[name as keyof typeof workerEnv];
      expect(spec.codec.decode(String(value))._tag, `${name}=${value}`).toBe('Right');
    }
  });

  it('publishes the metrics port that the worker listens on and Prometheus scrapes', () => {
    const port = String(services['worker']?.environment?.['METRICS_PORT']);
    expect(services['worker']?.ports).toContain(`${port}:${port}`);
    expect(readFileSync('ops/prometheus/prometheus.yml', 'utf8')).toContain(`worker:${port}`);
  });
});
