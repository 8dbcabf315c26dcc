package dev.superconv.cli;

import dev.superconv.core.data.DataHome;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.data.DataSpec;
import dev.superconv.core.data.Split;
import dev.superconv.core.data.Splits;
import picocli.CommandLine.Option;

/** The {@code --data SPEC} option, shared by every verb that reads a data set ({@code @Mixin DataOptions data;}). */
public final class DataOptions {
    @Option(names = "--data", paramLabel = "SPEC", defaultValue = DataSpec.CIFAR10,
            description = "Data set: a folder (ImageFolder ROOT/{train,test}/<class>/*.png|jpg, or the CIFAR-10 binary "
                    + "cifar-10-batches-bin or its parent), a cifar-10-binary.tar.gz, or 'cifar10' "
                    + "(~/.cache/superconv/data/cifar-10-binary.tar.gz, downloaded if missing). Default: ${DEFAULT-VALUE}.")
    public String spec;

    /** Resolves the value (downloading for 'cifar10' when needed); loading is then {@code spec.load(home.cache())}. */
    public DataSpec resolve(DataHome home) {
        return DataSpec.parse(spec, home);
    }

    /** Both splits, through the standard cache. */
    public Splits load() {
        DataHome home = DataHome.standard();
        return resolve(home).load(home.cache());
    }

    /** One split; for ImageFolder data only that split is listed and decoded. */
    public Dataset load(Split split) {
        DataHome home = DataHome.standard();
        return resolve(home).load(split, home.cache());
    }
}
