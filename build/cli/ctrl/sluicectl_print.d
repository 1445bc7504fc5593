build/cli/ctrl/sluicectl_print.o: ctrl/sluicectl_print.c \
 dataplane/dp_types.h ctrl/sluicectl.h
dataplane/dp_types.h:
ctrl/sluicectl.h:
