build/obj/ctrl/jsonutil.o: ctrl/jsonutil.c \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_config.h \
 /usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_build_config.h \
 ctrl/addr.h dataplane/dp_types.h ctrl/jsonutil.h ctrl/errors.h
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_config.h:
/usr/include/dpdk/../x86_64-linux-gnu/dpdk/rte_build_config.h:
ctrl/addr.h:
dataplane/dp_types.h:
ctrl/jsonutil.h:
ctrl/errors.h:
