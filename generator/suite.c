/* suite.c - placeholder while being written. */
#include "cp_generator_internal.h"
