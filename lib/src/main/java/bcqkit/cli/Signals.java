package bcqkit.cli;

import java.io.PrintWriter;

/** How the long-running commands (pretrain, retrain, ablate) end early without losing work. */
final class Signals {
    /** Exit status after a requested stop: 128 + SIGTERM, as a shell reports a terminated process. */
    static final int STOPPED = 143;

    private Signals() {}

    /**
     * SIGINT and SIGTERM run {@code stop}, which asks the loop to finish its current step and checkpoint. The
     * JVM's default would start shutting down while libtorch is still computing, which crashes it and loses work.
     */
    static void stopOn(Runnable stop, PrintWriter err) {
        for (String name : new String[] {"INT", "TERM"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                err.println("bcq: SIG" + sig.getName() + ": stopping after this step and checkpointing; resume with --resume");
                err.flush();
                stop.run();
            });
        }
    }
}
