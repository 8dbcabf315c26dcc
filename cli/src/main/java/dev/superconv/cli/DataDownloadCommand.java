package dev.superconv.cli;

import dev.superconv.core.data.CifarDownloader;
import dev.superconv.core.data.DataHome;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code superconv data download}: fetches the official CIFAR-10 binary archive, MD5-checked. */
@Command(name = "download", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Download the CIFAR-10 binary archive (MD5-verified, resumable) into DIR/cifar-10-binary.tar.gz.")
public final class DataDownloadCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Target folder (default: ~/.cache/superconv/data, where --data cifar10 looks).") Path dir;
    @Option(names = "--url", paramLabel = "URL",
            description = "Download from this mirror instead of ${DEFAULT-VALUE}; the file must still have the official MD5.")
    URI url = CifarDownloader.OFFICIAL_URL;

    @Override
    public Integer call() throws Exception {
        Path target = dir != null ? dir : DataHome.standard().dataDir();
        CifarDownloader.Result r = new CifarDownloader(url, CifarDownloader.OFFICIAL_MD5).download(target);
        PrintWriter out = spec.commandLine().getOut();
        out.println((r.fetched() ? "downloaded " : "already present: ") + r.file() + " (" + r.bytes() + " bytes, MD5 " + CifarDownloader.OFFICIAL_MD5 + " verified)");
        out.println("use it with: --data " + (dir != null ? r.file().toString() : "cifar10"));
        out.flush();
        return 0;
    }
}
