#include <stdio.h>
#include <stdlib.h>
#include "pesodemo.h"

int main(int argc, char **argv) {
    if (argc == 3) {
        printf("%d\n", pesodemo_add(atoi(argv[1]), atoi(argv[2])));
    } else {
        printf("answer: %d\n", pesodemo_answer());
    }
    return 0;
}
