build/obj/dataplane/sched.o: dataplane/sched.c dataplane/sched.h \
 dataplane/dp_types.h
dataplane/sched.h:
dataplane/dp_types.h:
