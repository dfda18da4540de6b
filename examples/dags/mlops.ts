/**
 * MLOps for the tag classifier, started whenever `labeled_projects` is updated (by dataops or
 * new_data), or by hand:
 *
 *   extract → validate → split → optimize (one mapped try per setting) → pick_best → train
 *   → evaluate (holdout.csv, weighted F1) → decide ─┬→ improved  → register → promote ─┬→ notify
 *                                                   └→ regressed → report ─────────────┘
 *
 * The new model is `improved` when its holdout F1 beats the production model's (no production
 * model counts as improved): it is registered and promoted to production, archiving the previous
 * version. Otherwise a regression report is logged as an artifact. Params, metrics and the model
 * artifact of every try are tracked (`bin/baton.js ml runs mlops`).
 *
 *   bin/baton.js dags trigger mlops --conf '{"maxTrainRows": 40}'    # a deliberately weaker model
 */
import { dag, EmptyOperator, param, task } from 'baton';
import { dataframe, transform, ValidationOperator } from 'baton/providers';
import { loadTextClassifier, type TextClassifierArtifact } from 'baton/ml';
import { announce, announceFailure } from './lib/notify.ts';
import { LABELED_PROJECTS, LOCATION_PARAMS, locateTask, MODEL_NAME, suitePath, WAREHOUSE, type Locations } from './lib/settings.ts';
import {
  DEFAULT_SWEEP, fmt, labelCounts, readExamples, score, SETTING_SCHEMA, stratifiedSplit, toExamples, train as fit,
  type Example, type Scores, type Setting,
} from './lib/training.ts';

interface Split {
  train: Example[];
  validation: Example[];
  labels: Record<string, number>;
}

interface Trial {
  setting: Setting;
  validation: Scores;
}

interface Evaluation {
  holdout: Scores;
  production: { version: number; f1: number } | null;
  improved: boolean;
}

export default dag(
  {
    id: 'mlops',
    description: 'Tune, train, evaluate and (when better) promote the project tag classifier',
    schedule: [LABELED_PROJECTS],
    startDate: '2024-01-01',
    catchup: false,
    maxActiveRuns: 1,
    tags: ['madewithml', 'mlops'],
    params: {
      dataDir: LOCATION_PARAMS.dataDir,
      warehouse: LOCATION_PARAMS.warehouse,
      modelName: param(MODEL_NAME, { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Registered model name.' }),
      sourceTable: param('labeled_projects', { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$', description: 'Warehouse table to learn from (id, created_on, title, description, tag).' }),
      holdoutFile: param('', { type: 'string', description: 'Labelled CSV to evaluate on. Empty: holdout.csv of dataDir.' }),
      maxTrainRows: param(null, { type: ['null', 'integer'], minimum: 2, description: 'Learn from at most this many rows (lowest ids first). Null: all.' }),
      validationFraction: param(0.2, { type: 'number', minimum: 0.05, maximum: 0.5, description: 'Share of each label held out to score the sweep.' }),
      seed: param(42, { type: 'integer', description: 'Seed of the train/validation split.' }),
      sweep: param(JSON.parse(JSON.stringify(DEFAULT_SWEEP)), { type: 'array', items: SETTING_SCHEMA, description: 'Hyperparameter settings; one optimize try each.' }),
      notifyEmail: param('', { type: 'string', description: 'Email recipients (comma-separated) when smtp_default exists. Empty: the notify_email variable.' }),
    },
    defaultArgs: { retries: 1, retryDelay: '20s', onFailure: announceFailure },
  },
  () => {
    const where = locateTask()();

    const extract = transform({
      taskId: 'extract',
      database: WAREHOUSE,
      outputTable: 'training_data',
      sql: `SELECT id, created_on, title, description, tag FROM {{ params.sourceTable }} WHERE tag IS NOT NULL ORDER BY id`,
    });

    const validate = new ValidationOperator({ taskId: 'validate', database: WAREHOUSE, table: 'training_data', suite: suitePath('training_data') });

    const split = dataframe({
      taskId: 'split',
      database: WAREHOUSE,
      sql: 'SELECT id, title, description, tag FROM training_data ORDER BY id',
      fn: (rows, ctx): Split => {
        const max = ctx.params.maxTrainRows as number | null;
        const examples = toExamples(rows).slice(0, max ?? undefined);
        const s = stratifiedSplit(examples, ctx.params.validationFraction as number, ctx.params.seed as number);
        const labels = labelCounts(examples.map((e) => e.label));
        ctx.log.info(`${examples.length} examples${max ? ` (maxTrainRows ${max})` : ''}: ${s.train.length} to train, ${s.validation.length} to validate; labels ${JSON.stringify(labels)}`);
        return { ...s, labels };
      },
    });

    const settings = task('sweep_settings', async (_: void, ctx) => ctx.params.sweep as unknown as Setting[]);

    const optimize = task('optimize', async ({ data, setting }: { data: Split; setting: Setting }, ctx): Promise<Trial> => {
      const model = fit(data.train, setting);
      const validation = score(model, data.validation);
      await ctx.ml.logParams({ ...setting, trainRows: data.train.length, validationRows: data.validation.length });
      await ctx.ml.logMetrics({ val_f1: validation.f1, val_accuracy: validation.accuracy });
      ctx.log.info(`setting ${setting.name}: validation F1 ${fmt(validation.f1)}, accuracy ${fmt(validation.accuracy)}`);
      return { setting, validation };
    });

    const pickBest = task('pick_best', async ({ trials }: { trials: Trial[] }, ctx): Promise<Setting> => {
      const ranked = [...trials].sort((a, b) => b.validation.f1 - a.validation.f1);
      for (const t of ranked) ctx.log.info(`${t.setting.name.padEnd(20)} validation F1 ${fmt(t.validation.f1)}`);
      const best = ranked[0]!;
      await ctx.ml.logParams({ best: best.setting.name });
      await ctx.ml.logMetrics({ best_val_f1: best.validation.f1 });
      return best.setting;
    });

    const train = task('train', async ({ data, setting }: { data: Split; setting: Setting }, ctx): Promise<TextClassifierArtifact> => {
      const examples = [...data.train, ...data.validation];
      const started = Date.now();
      const model = fit(examples, setting);
      const fitted = score(model, examples);
      await ctx.ml.logParams({ ...setting, trainRows: examples.length });
      await ctx.ml.logMetrics({ train_f1: fitted.f1, train_seconds: (Date.now() - started) / 1000 });
      const artifact = model.toJSON();
      const stored = await ctx.ml.logArtifact('model.json', artifact);
      ctx.log.info(`Trained '${setting.name}' on ${examples.length} examples (training F1 ${fmt(fitted.f1)}, ${artifact.vocabulary.length} features); artifact at ${stored.url}`);
      return artifact;
    });

    const evaluate = task('evaluate', async ({ model, where }: { model: TextClassifierArtifact; where: Locations }, ctx): Promise<Evaluation> => {
      const file = typeof ctx.params.holdoutFile === 'string' && ctx.params.holdoutFile !== '' ? ctx.params.holdoutFile : where.holdoutCsv;
      const holdout = score(loadTextClassifier(model), readExamples(file));
      await ctx.ml.logMetrics({ holdout_f1: holdout.f1, holdout_accuracy: holdout.accuracy });
      const name = ctx.params.modelName as string;
      const current = await ctx.ml.getModel(name, { stage: 'production' });
      const productionF1 = current?.metrics.holdout_f1;
      const production = current ? { version: current.version, f1: productionF1 ?? 0 } : null;
      const improved = production === null || holdout.f1 > production.f1;
      ctx.log.info(`Holdout (${file}, ${holdout.support} rows): weighted F1 ${fmt(holdout.f1)}, accuracy ${fmt(holdout.accuracy)}; per label ${JSON.stringify(holdout.perLabel)}`);
      ctx.log.info(production ? `Production: ${name} version ${production.version}, holdout F1 ${fmt(production.f1)}` : `No ${name} version is in production`);
      return { holdout, production, improved };
    });

    const decide = task.branch('decide', async (e: Evaluation) => (e.improved ? 'improved' : 'regressed'));
    const improved = new EmptyOperator({ taskId: 'improved' });
    const regressed = new EmptyOperator({ taskId: 'regressed' });

    const register = task('register', async ({ model, setting, evaluation }: { model: TextClassifierArtifact; setting: Setting; evaluation: Evaluation }, ctx) => {
      const name = ctx.params.modelName as string;
      const metrics = { holdout_f1: evaluation.holdout.f1, holdout_accuracy: evaluation.holdout.accuracy };
      const v = await ctx.ml.registerModel(name, model, metrics, {
        params: { ...setting, dagRun: ctx.runId },
        description: `${setting.name}, holdout F1 ${fmt(evaluation.holdout.f1)} (run ${ctx.runId})`,
      });
      ctx.log.info(`Registered ${v.name} version ${v.version}`);
      return v;
    });

    const promote = task('promote', async ({ registered, evaluation }: { registered: { name: string; version: number }; evaluation: Evaluation }, ctx) => {
      const change = await ctx.ml.promote(registered.name, registered.version, 'production');
      ctx.log.info(`${registered.name} version ${registered.version}: ${change.from} → ${change.to}${change.archived.length ? `; archived version ${change.archived.join(', ')}` : ''}`);
      return { ...registered, f1: evaluation.holdout.f1, previous: evaluation.production, archived: change.archived };
    });

    const report = task('report', async ({ evaluation, setting, data }: { evaluation: Evaluation; setting: Setting; data: Split }, ctx) => {
      const body = {
        model: ctx.params.modelName,
        run: ctx.runId,
        verdict: 'not promoted: the new model does not beat production on the holdout set',
        candidate: { setting, trainRows: data.train.length + data.validation.length, labels: data.labels, holdout: evaluation.holdout },
        production: evaluation.production,
        f1Delta: evaluation.production ? evaluation.holdout.f1 - evaluation.production.f1 : null,
      };
      const stored = await ctx.ml.logArtifact('regression_report.json', body);
      ctx.log.warn(`Regression: holdout F1 ${fmt(evaluation.holdout.f1)} vs production ${fmt(evaluation.production?.f1)}; report at ${stored.url}`);
      return { f1: evaluation.holdout.f1, production: evaluation.production, reportUrl: stored.url };
    });

    const notify = task(
      { taskId: 'notify', triggerRule: 'none_failed_min_one_success' },
      async (_: void, ctx) => {
        const promoted = await ctx.ti.xcomPull<{ name: string; version: number; f1: number; previous: { version: number; f1: number } | null } | null>({ taskIds: 'promote' });
        const name = ctx.params.modelName as string;
        if (promoted) {
          return announce(ctx, {
            subject: `${name} version ${promoted.version} promoted to production`,
            text: `Holdout weighted F1 ${fmt(promoted.f1)}${promoted.previous ? ` (version ${promoted.previous.version}: ${fmt(promoted.previous.f1)})` : ' (first production version)'}. Run ${ctx.runId}.`,
          });
        }
        const regression = await ctx.ti.xcomPull<{ f1: number; production: { version: number; f1: number } | null; reportUrl: string }>({ taskIds: 'report' });
        return announce(ctx, {
          subject: `${name}: new model not promoted`,
          text: `Holdout weighted F1 ${fmt(regression.f1)} does not beat production version ${regression.production?.version} (${fmt(regression.production?.f1)}). Report: ${regression.reportUrl}. Run ${ctx.runId}.`,
        });
      },
    );

    where.then(extract).then(validate).then(split);
    const data = split;
    const trials = optimize.partial({ data }).expand({ setting: settings() });
    const best = pickBest({ trials });
    const model = train({ data, setting: best });
    const evaluation = evaluate({ model, where });

    decide(evaluation).then([improved, regressed]);
    const registered = register({ model, setting: best, evaluation });
    registered.after(improved);
    const promoted = promote({ registered, evaluation });
    const reported = report({ evaluation, setting: best, data });
    reported.after(regressed);
    notify().after(promoted, reported);
  },
);
