// Every workflow the worker registers. One file per workflow; messages live next to their workflow.
export * from './campaign';
export * from './department-shard';
