/* Spins forever without any host call: only terminating the job from outside can stop it. */
int main(void) {
  volatile unsigned long spins = 0;
  for (;;) spins++;
}
