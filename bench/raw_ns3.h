/* raw_ns3.h — the workloads shared by the wrapper loops (bench_wrapper.c)
 * and the plain ns-3 baselines (raw_ns3.cc), so both do the same work. */
#ifndef IKESIM_BENCH_RAW_NS3_H
#define IKESIM_BENCH_RAW_NS3_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What one timed run did: count items (events fired or datagrams delivered)
 * in secs of wall time. */
typedef struct bench_result {
    uint64_t count;
    double secs;
} bench_result;

/* Scheduler loop: slot i re-arms itself every bench_delay_ns(i), so with
 * many slots in flight the event heap stays full and well mixed. */
static inline uint64_t bench_delay_ns(uint32_t i)
{
    return 1000 + (uint64_t)i;
}

/* UDP workload: node 0 sends a payload every interval to node 1 over one
 * point-to-point link, lightly loaded (130-byte frames, ~1 us each at
 * 1 Gbit/s, one every 10 us), so nothing queues or drops. */
#define BENCH_UDP_RATE_BPS 1000000000ull
#define BENCH_UDP_DELAY_NS 1000000ull
#define BENCH_UDP_QUEUE_PKTS 100u
#define BENCH_UDP_PAYLOAD 100u
#define BENCH_UDP_INTERVAL_NS 10000ull
#define BENCH_UDP_PORT 5000

/* Fire `events` events with `inflight` of them pending at a time; with
 * `node_ctx` the events carry a node's context, as the wrapper's
 * node-owned timers do.  Returns 0, or -1 if the count came out wrong. */
int raw_timer_loop(uint32_t inflight, uint64_t events, bool node_ctx, bench_result *out);

/* Send `datagrams` datagrams; counts those delivered to the receiver. */
int raw_udp_loop(uint64_t datagrams, bench_result *out);

#ifdef __cplusplus
}
#endif
#endif
