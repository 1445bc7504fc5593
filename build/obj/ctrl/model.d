build/obj/ctrl/model.o: ctrl/model.c \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_config.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_build_config.h \
 ctrl/addr.h dataplane/dp_types.h ctrl/model.h dataplane/conn.h \
 dataplane/dp_types.h dataplane/flow.h ctrl/errors.h dataplane/sched.h
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_config.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_build_config.h:
ctrl/addr.h:
dataplane/dp_types.h:
ctrl/model.h:
dataplane/conn.h:
dataplane/dp_types.h:
dataplane/flow.h:
ctrl/errors.h:
dataplane/sched.h:
