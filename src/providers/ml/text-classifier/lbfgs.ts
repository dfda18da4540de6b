/**
 * Limited-memory BFGS minimiser for smooth objectives, with a backtracking (Armijo) line search.
 * Fully deterministic: the same objective and starting point always give the same iterates.
 */

/** Computes the objective at `x`, writes its gradient into `gradient` and returns the value. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

/** Stopping rules and memory size of {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Upper bound on iterations (one line search each). */
  maxIterations: number;
  /** Number of correction pairs kept. */
  memory: number;
  /** Stop once the largest absolute gradient component is at most this. */
  gradientTolerance: number;
  /** Stop once an iteration lowers the objective by at most this fraction of its size. */
  functionTolerance: number;
}

/** Where the minimiser stopped and why. */
export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
}

export const DEFAULT_LBFGS_OPTIONS: Readonly<LbfgsOptions> = Object.freeze({
  maxIterations: 500,
  memory: 10,
  gradientTolerance: 1e-6,
  functionTolerance: 1e-10,
});

const ARMIJO_C1 = 1e-4;
const MAX_BACKTRACKS = 40;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Minimises `objective` starting from `x0` (not modified). */
export function minimizeLbfgs(
  objective: Objective,
  x0: Float64Array,
  options: LbfgsOptions = DEFAULT_LBFGS_OPTIONS,
): LbfgsResult {
  const n = x0.length;
  const m = options.memory;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = objective(x, g);
  if (!Number.isFinite(f)) throw new Error(`objective is not finite at the starting point (${f})`);

  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rhoHist: number[] = [];
  const alpha = new Float64Array(m);
  const d = new Float64Array(n);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);

  for (let iter = 0; iter < options.maxIterations; iter++) {
    if (maxAbs(g) <= options.gradientTolerance) return { x, value: f, iterations: iter, converged: true };

    // Two-loop recursion: d = -H g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = sHist.length - 1; k >= 0; k--) {
      alpha[k] = rhoHist[k] * dot(sHist[k], d);
      const y = yHist[k];
      for (let i = 0; i < n; i++) d[i] -= alpha[k] * y[i];
    }
    const last = sHist.length - 1;
    const gamma = last >= 0 ? dot(sHist[last], yHist[last]) / dot(yHist[last], yHist[last]) : 1 / Math.sqrt(dot(g, g));
    for (let i = 0; i < n; i++) d[i] *= gamma;
    for (let k = 0; k < sHist.length; k++) {
      const beta = rhoHist[k] * dot(yHist[k], d);
      const s = sHist[k];
      for (let i = 0; i < n; i++) d[i] += (alpha[k] - beta) * s[i];
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      sHist.length = yHist.length = rhoHist.length = 0;
      const scale = 1 / Math.sqrt(dot(g, g));
      for (let i = 0; i < n; i++) d[i] = -g[i] * scale;
      slope = dot(g, d);
    }

    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; tries < MAX_BACKTRACKS; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = objective(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + ARMIJO_C1 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew <= f)) return { x, value: f, iterations: iter, converged: false };

    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const ys = dot(y, s);
    if (ys > 1e-12) {
      if (sHist.length === m) {
        sHist.shift();
        yHist.shift();
        rhoHist.shift();
      }
      sHist.push(s);
      yHist.push(y);
      rhoHist.push(1 / ys);
    }

    const decrease = f - fNew;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    const previous = f;
    f = fNew;
    if (decrease <= options.functionTolerance * Math.max(Math.abs(previous), Math.abs(f), 1)) {
      return { x, value: f, iterations: iter + 1, converged: true };
    }
  }
  return { x, value: f, iterations: options.maxIterations, converged: maxAbs(g) <= options.gradientTolerance };
}
