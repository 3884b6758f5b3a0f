"""Where a sweep's runs execute: one backend per module, all with the same callbacks.

`serial` runs in this process, `process_pool` on a local pool of spawned processes, and
`dask_cluster` on a Dask cluster (an address, a `distributed.Client` or a LocalCluster). Each
takes the tasks, the function that executes one, `on_row` for every finished row and (where
a worker can die) `on_lost` for a run whose worker was lost. Results are identical whatever
the backend: seeds and ids come from the plan, not from execution order.
"""
