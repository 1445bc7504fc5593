build/obj/dataplane/conn_table.o: dataplane/conn_table.c dataplane/conn.h \
 dataplane/dp_types.h dataplane/flow.h dataplane/mem.h
dataplane/conn.h:
dataplane/dp_types.h:
dataplane/flow.h:
dataplane/mem.h:
