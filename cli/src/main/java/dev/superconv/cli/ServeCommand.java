package dev.superconv.cli;

import dev.superconv.inference.serve.BearerToken;
import dev.superconv.inference.serve.InferenceServer;
import dev.superconv.inference.serve.ServeOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** {@code superconv serve}: the HTTP inference service with dynamic batching, until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = {
        "Serve an ONNX model over HTTP with dynamic batching: POST /v1/predict (an image body, or JSON {\"instances\": [{\"b64\": ...}]}; ?top_k=K),"
                + " GET /v1/model, /healthz, /readyz, /metrics (Prometheus).",
        "Concurrent requests are collected into batches of up to --max-batch images (or what arrived within --max-wait-ms) and run in one"
                + " session.run; a full queue answers 503 with Retry-After. SIGTERM or Ctrl-C stops accepting, answers the requests in flight"
                + " (at most --drain-timeout seconds), closes the session and exits 0."})
public final class ServeCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin InferenceOptions inference;
    @Spec CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port (default ${DEFAULT-VALUE}; 0 = any free port, printed at start).")
    int port;

    @Option(names = "--max-batch", defaultValue = "64", description = "Images per session run at most (default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-wait-ms", defaultValue = "5", description = "How long a batch's first image waits for others (default ${DEFAULT-VALUE} ms).")
    int maxWaitMs;

    @Option(names = "--queue", defaultValue = "1024", description = "Images accepted and waiting at most; beyond, 503 at once (default ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-body", defaultValue = "8m", paramLabel = "SIZE", description = "Largest request body, e.g. 8m or 512k (default ${DEFAULT-VALUE}); larger is 413 without being read.")
    String maxBody;

    @Option(names = "--read-timeout", defaultValue = "30", paramLabel = "SECONDS", description = "A client must send its whole request within this (default ${DEFAULT-VALUE} s), else it is dropped.")
    int readTimeout;

    @Option(names = "--drain-timeout", defaultValue = "10", paramLabel = "SECONDS", description = "On shutdown, how long requests in flight may take (default ${DEFAULT-VALUE} s).")
    int drainTimeout;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Require 'Authorization: Bearer <token>' on every request, the token being this file's content.")
    Path tokenFile;

    @Override
    public Integer call() throws Exception {
        ServeOptions options = new ServeOptions(host, port, maxBatch, maxWaitMs, queue, ServeOptions.parseSize(maxBody), readTimeout, drainTimeout);
        BearerToken token = tokenFile == null ? BearerToken.open() : BearerToken.fromFile(tokenFile);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CountDownLatch stop = new CountDownLatch(1);
        // SIGTERM and SIGINT stop the service here instead of starting the JVM's shutdown, so the drain can finish and the exit code be 0
        List<Signal> signals = List.of(new Signal("TERM"), new Signal("INT"));
        List<SignalHandler> previous = signals.stream().map(s -> Signal.handle(s, received -> stop.countDown())).toList();
        try (InferenceServer server = InferenceServer.start(inference.model, inference.settings(), options, token, line -> {
            err.println("superconv: serve: " + line);
            err.flush();
        })) {
            if (!server.model().deviceNote().isEmpty()) {
                err.println("superconv: " + server.model().deviceNote());
            }
            out.printf(Locale.ROOT, "superconv: serving %s on %s (device %s, max batch %d, max wait %d ms, queue %d%s)%n", inference.model,
                    server.url(), server.model().device().cliName(), server.rowsPerBatch(), maxWaitMs, queue, token.required() ? ", bearer token" : "");
            out.flush();
            err.flush();
            stop.await();
            err.println("superconv: stopping: answering the requests in flight (at most " + drainTimeout + " s)");
            err.flush();
        } finally {
            for (int i = 0; i < signals.size(); i++) {
                Signal.handle(signals.get(i), previous.get(i));
            }
        }
        err.println("superconv: stopped");
        err.flush();
        return 0;
    }
}
