/* Does not compile on purpose: the demo needs a build failure in the matrix. */
int broken(void) { return this_symbol_does_not_exist; }
