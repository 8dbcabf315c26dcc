package dev.superconv.cli;

import picocli.CommandLine.IVersionProvider;

/** Version line: the project version and the JDK it runs on. */
public final class VersionInfo implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"superconv " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
}
