build/cli/ctrl/errors.o: ctrl/errors.c ctrl/errors.h
ctrl/errors.h:
