/*
 * demo_sync.h - the demo's `apply` command and the sync line of `status`: a sample
 * application (no personal data: nobody identified, two generated "scans") queued for the
 * centre through the kiosk's sync service, so a trial against tests/central shows the whole
 * way from the kiosk to the centre's database. Main thread.
 */
#ifndef BM_FLOW_DEMO_SYNC_H
#define BM_FLOW_DEMO_SYNC_H

struct bm_flow;

/* Queues the sample application; logs its number when it is in the outbox. */
void bm_demo_apply(struct bm_flow *flow);
/* Logs the sync service's state for technicians. */
void bm_demo_log_sync(const struct bm_flow *flow);

#endif
