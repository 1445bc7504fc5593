build/cli/ctrl/sluicectl_cmds.o: ctrl/sluicectl_cmds.c ctrl/addr.h \
 dataplane/dp_types.h ctrl/model.h dataplane/conn.h dataplane/dp_types.h \
 dataplane/flow.h ctrl/errors.h ctrl/sluicectl.h
ctrl/addr.h:
dataplane/dp_types.h:
ctrl/model.h:
dataplane/conn.h:
dataplane/dp_types.h:
dataplane/flow.h:
ctrl/errors.h:
ctrl/sluicectl.h:
