#include "pesodemo.h"

int pesodemo_add(int a, int b) { return a + b; }

int pesodemo_answer(void) { return pesodemo_add(40, 2); }
