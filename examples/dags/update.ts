/**
 * Continual learning: compares the data the production model learnt from with the data that
 * arrived since, checks how the production model does on the new data, and applies a policy:
 *
 *   locate → collect ─┬→ detect_drift ──────┬→ policy ─┬→ continue
 *                     └→ check_performance ─┘          ├→ inspect  (drift report artifact)
 *                                                      ├→ improve  (retraining set) → retrain (triggers mlops)
 *                                                      └→ rollback (previous production version)
 *                                                   → notify
 *
 * New data is what `new_data` merged into labeled_projects after the production version was
 * registered, or a labelled CSV file given as `newDataFile`. Drift: the label distribution's
 * population stability index (PSI) and the text length's Kolmogorov–Smirnov statistic, with
 * thresholds as params. The policy is in `lib/drift.ts`; `action` forces one branch:
 *
 *   bin/baton.js dags trigger update --conf '{"newDataFile": "/path/new.csv"}'
 *   bin/baton.js dags trigger update --conf '{"action": "rollback"}'
 */
import { resolve } from 'node:path';
import { dag, EmptyOperator, FailTask, param, task, TriggerDagRunOperator, type TaskContext } from 'baton';
import { DUCKDB_POOL, sqlLiteral, withDuckDb } from 'baton/providers';
import { loadTextClassifier, type TextClassifierArtifact } from 'baton/ml';
import { decide, DEFAULT_THRESHOLDS, measureDrift, POLICY_ACTIONS, type Decision, type DriftReport, type PerformanceReport, type PolicyAction, type Thresholds } from './lib/drift.ts';
import { announce, announceFailure } from './lib/notify.ts';
import { LOCATION_PARAMS, locateTask, MODEL_NAME, toLabel, type Locations } from './lib/settings.ts';
import { fmt, readExamples, score, toExamples, type Example } from './lib/training.ts';
import { CREATE_TABLES_SQL, labelSql } from './lib/warehouse.ts';

interface Collected {
  /** Rows the production model could have learnt from. */
  reference: Example[];
  /** Rows that arrived since. */
  current: Example[];
  /** Where the current rows come from. */
  source: string;
}

/** The `newDataFile` param as an absolute path, or null. */
function newDataFile(ctx: TaskContext): string | null {
  const f = ctx.params.newDataFile;
  return typeof f === 'string' && f.trim() !== '' ? resolve(f.trim()) : null;
}

const threshold = (v: number, description: string) => param(v, { type: 'number', minimum: 0, description });

export default dag(
  {
    id: 'update',
    description: 'Monitor drift of new data and keep, inspect, retrain or roll back the production model',
    schedule: null,
    startDate: '2024-01-01',
    catchup: false,
    maxActiveRuns: 1,
    tags: ['madewithml', 'mlops', 'continual-learning'],
    params: {
      dataDir: LOCATION_PARAMS.dataDir,
      warehouse: LOCATION_PARAMS.warehouse,
      modelName: param(MODEL_NAME, { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Registered model name.' }),
      newDataFile: param('', { type: 'string', description: 'A labelled CSV (id, created_on, title, description, tag) to judge. Empty: rows merged into labeled_projects since the production version was registered.' }),
      action: param('auto', { type: 'string', enum: ['auto', ...POLICY_ACTIONS], description: 'Force a branch instead of applying the policy.' }),
      psiInspect: threshold(DEFAULT_THRESHOLDS.psiInspect, 'Label PSI at which the new data is inspected.'),
      psiImprove: threshold(DEFAULT_THRESHOLDS.psiImprove, 'Label PSI at which the model is retrained.'),
      ksInspect: threshold(DEFAULT_THRESHOLDS.ksInspect, 'Text-length KS statistic at which the new data is inspected.'),
      ksImprove: threshold(DEFAULT_THRESHOLDS.ksImprove, 'Text-length KS statistic at which the model is retrained.'),
      minF1: threshold(DEFAULT_THRESHOLDS.minF1, 'Production F1 on the new data below which the model is retrained (or rolled back when the previous version is better).'),
      rollbackMargin: threshold(DEFAULT_THRESHOLDS.rollbackMargin, 'How much better the previous version must score on the new data to be restored.'),
      minRows: param(DEFAULT_THRESHOLDS.minRows, { type: 'integer', minimum: 1, description: 'Fewer new rows than this: continue.' }),
      notifyEmail: param('', { type: 'string', description: 'Email recipients (comma-separated) when smtp_default exists. Empty: the notify_email variable.' }),
    },
    defaultArgs: { retries: 1, retryDelay: '20s', onFailure: announceFailure },
  },
  () => {
    const where = locateTask()();

    const collect = task({ taskId: 'collect', pool: DUCKDB_POOL }, async (where: Locations, ctx): Promise<Collected> => {
      const name = ctx.params.modelName as string;
      const production = await ctx.ml.getModel(name, { stage: 'production' });
      const file = newDataFile(ctx);
      return withDuckDb(where.warehouse, async (h) => {
        await h.run(CREATE_TABLES_SQL);
        const cols = `id, title, description, tag`;
        if (file) {
          const reference = toExamples(await h.query(`SELECT ${cols} FROM labeled_projects ORDER BY id`));
          const current = readExamples(file).map((e) => ({ ...e, label: toLabel(e.label) }));
          ctx.log.info(`Reference: labeled_projects (${reference.length} rows); new data: ${file} (${current.length} rows)`);
          return { reference, current, source: file };
        }
        const cutoff = production ? production.createdAt : null;
        const isNew = cutoff ? `arrived_at > CAST(${sqlLiteral(cutoff)} AS TIMESTAMPTZ)` : 'arrived_at IS NOT NULL';
        const reference = toExamples(await h.query(`SELECT ${cols} FROM labeled_projects WHERE NOT coalesce(${isNew}, false) ORDER BY id`));
        const current = toExamples(await h.query(`SELECT ${cols} FROM labeled_projects WHERE ${isNew} ORDER BY id`));
        const since = cutoff ? `since ${name} version ${production!.version} was registered (${cutoff})` : 'through the inbox (no production model yet)';
        ctx.log.info(`Reference: ${reference.length} rows; new data: ${current.length} rows arrived ${since}`);
        return { reference, current, source: `labeled_projects rows arrived ${since}` };
      });
    });

    const detectDrift = task('detect_drift', async (data: Collected, ctx): Promise<DriftReport> => {
      const drift = measureDrift(data.reference, data.current);
      await ctx.ml.logMetrics({ label_psi: drift.labelPsi, length_ks: drift.lengthKs, length_psi: drift.lengthPsi, new_rows: drift.currentRows });
      ctx.log.info(`Labels: reference ${JSON.stringify(drift.referenceLabels)}, new ${JSON.stringify(drift.currentLabels)} → PSI ${fmt(drift.labelPsi)}`);
      ctx.log.info(`Text length (words): median ${drift.referenceMedianLength} → ${drift.currentMedianLength}, KS ${fmt(drift.lengthKs)}, PSI ${fmt(drift.lengthPsi)}`);
      return drift;
    });

    const checkPerformance = task('check_performance', async (data: Collected, ctx): Promise<PerformanceReport> => {
      const name = ctx.params.modelName as string;
      const production = await ctx.ml.getModel<TextClassifierArtifact>(name, { stage: 'production' });
      const report: PerformanceReport = { model: name, productionVersion: production?.version ?? null, productionF1: null, previousVersion: null, previousF1: null };
      if (!production) {
        ctx.log.info(`No ${name} version is in production`);
        return report;
      }
      if (data.current.length > 0) report.productionF1 = score(loadTextClassifier(production.artifact), data.current).f1;
      // The version a rollback would restore: the newest archived version (in the usual flow, where
      // each promotion archives the version it replaces, the previous production version).
      const latest = (await ctx.ml.getModel<TextClassifierArtifact>(name, { stage: 'latest' }))?.version ?? production.version;
      for (let v = latest; v >= 1; v--) {
        if (v === production.version) continue;
        const candidate = await ctx.ml.getModel<TextClassifierArtifact>(name, { stage: v });
        if (candidate?.stage !== 'archived') continue;
        report.previousVersion = v;
        if (data.current.length > 0) report.previousF1 = score(loadTextClassifier(candidate.artifact), data.current).f1;
        break;
      }
      await ctx.ml.logMetrics({
        ...(report.productionF1 === null ? {} : { production_f1: report.productionF1 }),
        ...(report.previousF1 === null ? {} : { previous_f1: report.previousF1 }),
      });
      ctx.log.info(`On the new data: production version ${report.productionVersion} F1 ${fmt(report.productionF1)}; previous version ${report.previousVersion ?? 'none'} F1 ${fmt(report.previousF1)}`);
      return report;
    });

    const policy = task.branch('policy', async ({ drift, performance }: { drift: DriftReport; performance: PerformanceReport }, ctx): Promise<PolicyAction> => {
      const p = ctx.params;
      const thresholds: Thresholds = {
        psiInspect: p.psiInspect as number, psiImprove: p.psiImprove as number, ksInspect: p.ksInspect as number, ksImprove: p.ksImprove as number,
        minF1: p.minF1 as number, rollbackMargin: p.rollbackMargin as number, minRows: p.minRows as number,
      };
      const decision = decide(drift, performance, thresholds, p.action as PolicyAction | 'auto');
      await ctx.ti.xcomPush('decision', decision);
      ctx.log.info(`Policy: ${decision.action} (${decision.reasons.join('; ')})`);
      return decision.action;
    });

    const keep = new EmptyOperator({ taskId: 'continue' });

    const inspect = task('inspect', async ({ drift, performance }: { drift: DriftReport; performance: PerformanceReport }, ctx) => {
      const stored = await ctx.ml.logArtifact('drift_report.json', { run: ctx.runId, drift, performance });
      ctx.log.info(`Drift report for a person to inspect: ${stored.url}`);
      return stored.url;
    });

    const improve = task({ taskId: 'improve', pool: DUCKDB_POOL }, async (where: Locations, ctx) => {
      const file = newDataFile(ctx);
      return withDuckDb(where.warehouse, async (h) => {
        const added = file
          ? `UNION ALL SELECT id, created_on, title, description, ${labelSql('tag')} AS tag, ${sqlLiteral(file)} AS source, now() AS arrived_at FROM read_csv(${sqlLiteral(file)}, header = true)`
          : '';
        await h.run(`CREATE OR REPLACE TABLE retraining_set AS
          SELECT id, created_on, title, description, tag FROM (
            SELECT id, created_on, title, description, tag, source, arrived_at FROM labeled_projects ${added}
          ) QUALIFY row_number() OVER (PARTITION BY id ORDER BY arrived_at DESC NULLS LAST) = 1 ORDER BY id`);
        const rows = await h.query('SELECT count(*) AS n FROM retraining_set');
        ctx.log.info(`retraining_set: ${rows[0]!.n} rows (labeled_projects${file ? ` + ${file}` : ''}); triggering mlops on it`);
        return { table: 'retraining_set', rows: Number(rows[0]!.n) };
      });
    });

    const retrain = new TriggerDagRunOperator({
      taskId: 'retrain',
      triggerDagId: 'mlops',
      conf: { sourceTable: 'retraining_set', modelName: '{{ params.modelName }}', dataDir: '{{ params.dataDir }}', warehouse: '{{ params.warehouse }}', reason: 'update: {{ run_id }}' },
    });

    const rollback = task('rollback', async (_: void, ctx) => {
      const name = ctx.params.modelName as string;
      let r: Awaited<ReturnType<typeof ctx.ml.rollback>>;
      try {
        r = await ctx.ml.rollback(name);
      } catch (e) {
        // Nothing to roll back to: retrying would not change that.
        throw new FailTask(`cannot roll back ${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
      ctx.log.info(`${name}: version ${r.restored} is back in production${r.archived === null ? '' : `; version ${r.archived} archived`}`);
      return r;
    });

    const notify = task({ taskId: 'notify', triggerRule: 'none_failed_min_one_success' }, async (_: void, ctx) => {
      const decision = await ctx.ti.xcomPull<Decision>({ taskIds: 'policy', key: 'decision' });
      const name = ctx.params.modelName as string;
      const details: Record<PolicyAction, () => Promise<string>> = {
        continue: async () => 'The production model stays.',
        inspect: async () => `Drift report: ${await ctx.ti.xcomPull<string>({ taskIds: 'inspect' })}`,
        improve: async () => `mlops was triggered on retraining_set (${(await ctx.ti.xcomPull<{ rows: number }>({ taskIds: 'improve' }))?.rows} rows).`,
        rollback: async () => {
          const r = await ctx.ti.xcomPull<{ restored: number; archived: number | null }>({ taskIds: 'rollback' });
          return `Version ${r.restored} is back in production (version ${r.archived} archived).`;
        },
      };
      return announce(ctx, { subject: `${name}: ${decision.action}`, text: `${decision.reasons.join('; ')}. ${await details[decision.action]()} Run ${ctx.runId}.` });
    });

    const data = collect(where);
    const drift = detectDrift(data);
    const performance = checkPerformance(data);
    const inspected = inspect({ drift, performance });
    const composed = improve(where);
    const rolledBack = rollback();
    policy({ drift, performance }).then([keep, inspected, composed, rolledBack]);
    composed.then(retrain);
    notify().after(keep, inspected, retrain, rolledBack);
  },
);
