build/obj/ctrl/commands.o: ctrl/commands.c \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_config.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_build_config.h \
 ctrl/commands.h ctrl/ctl.h ctrl/errors.h ctrl/model.h dataplane/conn.h \
 dataplane/dp_types.h dataplane/flow.h dataplane/dp_types.h ctrl/neigh.h \
 drivers/port.h /usr/include/dpdk/rte_mempool.h \
 /usr/include/dpdk/rte_compat.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_spinlock.h \
 /usr/include/dpdk/generic/rte_spinlock.h /usr/include/dpdk/rte_lcore.h \
 /usr/include/dpdk/rte_per_lcore.h /usr/include/dpdk/rte_eal.h \
 /usr/include/dpdk/rte_uuid.h \
 /usr/include/dpdk/rte_pci_dev_feature_defs.h \
 /usr/include/dpdk/rte_launch.h /usr/include/dpdk/rte_thread.h \
 /usr/include/dpdk/rte_os.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_pause.h \
 /usr/include/dpdk/generic/rte_pause.h /usr/include/dpdk/rte_common.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_atomic.h \
 /usr/include/dpdk/generic/rte_atomic.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_atomic_64.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_rtm.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_cpuflags.h \
 /usr/include/dpdk/generic/rte_cpuflags.h \
 /usr/include/dpdk/rte_branch_prediction.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_pause.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_cycles.h \
 /usr/include/dpdk/generic/rte_cycles.h /usr/include/dpdk/rte_debug.h \
 /usr/include/dpdk/rte_log.h /usr/include/dpdk/rte_branch_prediction.h \
 /usr/include/dpdk/rte_ring.h /usr/include/dpdk/rte_ring_core.h \
 /usr/include/dpdk/rte_memory.h /usr/include/dpdk/rte_bitops.h \
 /usr/include/dpdk/rte_fbarray.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_rwlock.h \
 /usr/include/dpdk/generic/rte_rwlock.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_spinlock.h \
 /usr/include/dpdk/rte_memzone.h /usr/include/dpdk/rte_ring_elem.h \
 /usr/include/dpdk/rte_ring_elem_pvt.h \
 /usr/include/dpdk/rte_ring_generic_pvt.h \
 /usr/include/dpdk/rte_ring_hts.h \
 /usr/include/dpdk/rte_ring_hts_elem_pvt.h \
 /usr/include/dpdk/rte_ring_rts.h \
 /usr/include/dpdk/rte_ring_rts_elem_pvt.h \
 /usr/include/dpdk/rte_ring_peek.h \
 /usr/include/dpdk/rte_ring_peek_elem_pvt.h \
 /usr/include/dpdk/rte_ring_peek_zc.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_memcpy.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_vect.h \
 /usr/include/dpdk/generic/rte_vect.h \
 /usr/include/dpdk/rte_mempool_trace_fp.h \
 /usr/include/dpdk/rte_trace_point.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_cycles.h \
 /usr/include/dpdk/rte_string_fns.h dataplane/worker.h \
 /usr/include/dpdk/rte_mbuf.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_prefetch.h \
 /usr/include/dpdk/generic/rte_prefetch.h \
 /usr/include/dpdk/rte_mbuf_ptype.h /usr/include/dpdk/rte_mbuf_core.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_byteorder.h \
 /usr/include/dpdk/generic/rte_byteorder.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_byteorder_64.h \
 /usr/include/dpdk/rte_rcu_qsbr.h dataplane/conn.h dataplane/drop.h \
 dataplane/pkt.h dataplane/portmap.h dataplane/snapshot.h ctrl/config.h \
 ctrl/jsonutil.h ctrl/log.h
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_config.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_build_config.h:
ctrl/commands.h:
ctrl/ctl.h:
ctrl/errors.h:
ctrl/model.h:
dataplane/conn.h:
dataplane/dp_types.h:
dataplane/flow.h:
dataplane/dp_types.h:
ctrl/neigh.h:
drivers/port.h:
/usr/include/dpdk/rte_mempool.h:
/usr/include/dpdk/rte_compat.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_spinlock.h:
/usr/include/dpdk/generic/rte_spinlock.h:
/usr/include/dpdk/rte_lcore.h:
/usr/include/dpdk/rte_per_lcore.h:
/usr/include/dpdk/rte_eal.h:
/usr/include/dpdk/rte_uuid.h:
/usr/include/dpdk/rte_pci_dev_feature_defs.h:
/usr/include/dpdk/rte_launch.h:
/usr/include/dpdk/rte_thread.h:
/usr/include/dpdk/rte_os.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_pause.h:
/usr/include/dpdk/generic/rte_pause.h:
/usr/include/dpdk/rte_common.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_atomic.h:
/usr/include/dpdk/generic/rte_atomic.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_atomic_64.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_rtm.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_cpuflags.h:
/usr/include/dpdk/generic/rte_cpuflags.h:
/usr/include/dpdk/rte_branch_prediction.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_pause.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_cycles.h:
/usr/include/dpdk/generic/rte_cycles.h:
/usr/include/dpdk/rte_debug.h:
/usr/include/dpdk/rte_log.h:
/usr/include/dpdk/rte_branch_prediction.h:
/usr/include/dpdk/rte_ring.h:
/usr/include/dpdk/rte_ring_core.h:
/usr/include/dpdk/rte_memory.h:
/usr/include/dpdk/rte_bitops.h:
/usr/include/dpdk/rte_fbarray.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_rwlock.h:
/usr/include/dpdk/generic/rte_rwlock.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_spinlock.h:
/usr/include/dpdk/rte_memzone.h:
/usr/include/dpdk/rte_ring_elem.h:
/usr/include/dpdk/rte_ring_elem_pvt.h:
/usr/include/dpdk/rte_ring_generic_pvt.h:
/usr/include/dpdk/rte_ring_hts.h:
/usr/include/dpdk/rte_ring_hts_elem_pvt.h:
/usr/include/dpdk/rte_ring_rts.h:
/usr/include/dpdk/rte_ring_rts_elem_pvt.h:
/usr/include/dpdk/rte_ring_peek.h:
/usr/include/dpdk/rte_ring_peek_elem_pvt.h:
/usr/include/dpdk/rte_ring_peek_zc.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_memcpy.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_vect.h:
/usr/include/dpdk/generic/rte_vect.h:
/usr/include/dpdk/rte_mempool_trace_fp.h:
/usr/include/dpdk/rte_trace_point.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_cycles.h:
/usr/include/dpdk/rte_string_fns.h:
dataplane/worker.h:
/usr/include/dpdk/rte_mbuf.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_prefetch.h:
/usr/include/dpdk/generic/rte_prefetch.h:
/usr/include/dpdk/rte_mbuf_ptype.h:
/usr/include/dpdk/rte_mbuf_core.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_byteorder.h:
/usr/include/dpdk/generic/rte_byteorder.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_byteorder_64.h:
/usr/include/dpdk/rte_rcu_qsbr.h:
dataplane/conn.h:
dataplane/drop.h:
dataplane/pkt.h:
dataplane/portmap.h:
dataplane/snapshot.h:
ctrl/config.h:
ctrl/jsonutil.h:
ctrl/log.h:
