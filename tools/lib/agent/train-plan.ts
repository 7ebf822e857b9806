// The training procedure as a sequence of module calls (train chunks, greedy checks, keeping the best head), so
// V8 (trainAgent) and a board (trainOnBoard) make exactly the same calls and get the same curve and head.
import { BitrlError } from "../util/errors.ts";
import { chunkSeed, selectSeed } from "./seeds.ts";

/** Checkpoint selection: greedy checks on seeds selectSeed(i) (seeds.ts) decide which head is kept. */
export interface SelectOptions {
  /** check after every `every` training episodes (episode budgets) or training steps (step budgets) */
  every: number;
  /** greedy episodes per check */
  episodes: number;
  /**
   * skip a check while the mean sampled return since the last check is below `gate` x the best check's mean
   * (a cheap filter: checks cost environment steps; 0 = always check)
   */
  gate?: number;
}

export interface PlanOptions {
  /** PRNG seed of the run (chunk seeds derive from it) */
  seed: number;
  /** training episodes at most (Infinity with a step budget) */
  episodes: number;
  /** environment steps at most, training and checks together (Infinity = no step budget) */
  steps: number;
  /** episodes per agent_train call */
  chunk: number;
  /** the env's own episode limit (a check episode never needs more) */
  envMaxSteps: number;
  select?: SelectOptions;
}

/** What the driver does next: a training chunk, a greedy check, or nothing (done). */
export type PlanCall =
  | { op: "train"; seed: number; episodes: number; budget: number | null }
  | { op: "check"; seeds: number[]; maxSteps: number[] };

/**
 * Plans and books one training run. The driver loops: `next()`, perform the call, report it with `trained()` or
 * `checked()` (which says whether to keep the current head), until `next()` is null.
 */
export class TrainPlan {
  /** return and steps of every training episode, in order */
  readonly curve: number[] = [];
  readonly curveSteps: number[] = [];
  /** environment steps used: training and checks */
  used = 0;
  /** training steps */
  trainedSteps = 0;
  /** environment steps spent on checks */
  checkSteps = 0;
  /** greedy checks run, and the best mean so far (null before the first) */
  checks = 0;
  best: { mean: number; atStep: number; atEpisode: number } | null = null;
  private sinceCheck: number[] = [];
  private nextCheck: number;
  private finished = false;

  constructor(readonly o: PlanOptions) {
    if (!(o.episodes >= 1) || !(o.steps >= 1))
      throw new BitrlError("a training run needs at least one episode and one step");
    const reserve = o.select ? o.select.episodes * o.envMaxSteps : 0;
    if (Number.isFinite(o.steps) && o.steps <= reserve)
      throw new BitrlError(`a budget of ${o.steps} steps leaves nothing to train after the checks' ${reserve}`);
    if (!Number.isFinite(o.episodes) && !Number.isFinite(o.steps))
      throw new BitrlError("a training run needs an episode count or a step budget");
    this.nextCheck = o.select?.every ?? Infinity;
  }

  private clock(): number {
    return Number.isFinite(this.o.steps) ? this.trainedSteps : this.curve.length;
  }

  private remaining(): number {
    return this.o.steps - this.used;
  }

  /** Steps training may still take: the budget less what the final check may need (so it always runs). */
  private trainingLeft(): number {
    const sel = this.o.select;
    return this.remaining() - (sel ? sel.episodes * this.o.envMaxSteps : 0);
  }

  next(): PlanCall | null {
    if (this.finished) return null;
    const sel = this.o.select;
    const end = this.curve.length >= this.o.episodes || this.trainingLeft() <= 0;
    if (sel && this.sinceCheck.length && (end || this.clock() >= this.nextCheck)) {
      this.nextCheck = this.clock() + sel.every;
      const recent = this.sinceCheck.reduce((a, b) => a + b, 0) / this.sinceCheck.length;
      const gated = this.best && sel.gate && recent < sel.gate * this.best.mean;
      this.sinceCheck = [];
      if (!gated) {
        // each check episode may use what is left of the step budget, and the checks stop with it
        const seeds: number[] = [],
          maxSteps: number[] = [];
        let left = this.remaining();
        for (let i = 0; i < sel.episodes && left > 0; i++) {
          const m = Math.min(this.o.envMaxSteps, left);
          seeds.push(selectSeed(i));
          maxSteps.push(m);
          left -= m;
        }
        if (seeds.length === sel.episodes) return { op: "check", seeds, maxSteps };
      }
    }
    if (end) {
      this.finished = true;
      return null;
    }
    const n = Math.min(this.o.chunk, this.o.episodes - this.curve.length);
    return {
      op: "train",
      seed: chunkSeed(this.o.seed, this.curve.length),
      episodes: n,
      budget: Number.isFinite(this.o.steps) ? this.trainingLeft() : null,
    };
  }

  /** The bookkeeping a resumed run needs (JSON-safe). */
  snapshot(): {
    curve: number[];
    curveSteps: number[];
    used: number;
    trainedSteps: number;
    checkSteps: number;
    checks: number;
    best: TrainPlan["best"];
    nextCheck: number;
  } {
    return {
      curve: [...this.curve],
      curveSteps: [...this.curveSteps],
      used: this.used,
      trainedSteps: this.trainedSteps,
      checkSteps: this.checkSteps,
      checks: this.checks,
      best: this.best,
      nextCheck: this.nextCheck,
    };
  }

  /** Goes on from a snapshot taken at a checkpoint (right after its check). */
  restore(s: ReturnType<TrainPlan["snapshot"]>): void {
    this.curve.splice(0, this.curve.length, ...s.curve);
    this.curveSteps.splice(0, this.curveSteps.length, ...s.curveSteps);
    this.used = s.used;
    this.trainedSteps = s.trainedSteps;
    this.checkSteps = s.checkSteps;
    this.checks = s.checks;
    this.best = s.best;
    this.nextCheck = s.nextCheck;
    this.sinceCheck = [];
  }

  /** Books a training chunk: the returns and steps of the episodes it ran. */
  trained(returns: number[], steps: number[]): void {
    const total = steps.reduce((a, b) => a + b, 0);
    this.curve.push(...returns);
    this.curveSteps.push(...steps);
    this.sinceCheck.push(...returns);
    this.trainedSteps += total;
    this.used += total;
  }

  /** Books a greedy check (returns and steps of its episodes); true when the current head is the best so far (latest on ties). */
  checked(returns: number[], steps: number[]): boolean {
    this.checks++;
    const s = steps.reduce((a, b) => a + b, 0);
    this.used += s;
    this.checkSteps += s;
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    if (this.best && mean < this.best.mean) return false;
    this.best = { mean, atStep: this.trainedSteps, atEpisode: this.curve.length };
    return true;
  }
}
