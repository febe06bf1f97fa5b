package dev.trellis.terraform.resource;

/** A call that cannot go on; its diagnostics go back to Terraform as they are. */
public final class ProviderFailure extends RuntimeException {

    private final transient Diagnostics diagnostics;

    public ProviderFailure(Diagnostics diagnostics) {
        super("provider call failed");
        this.diagnostics = diagnostics;
    }

    public ProviderFailure(String summary, String detail) {
        this(new Diagnostics().error(summary, detail));
    }

    public Diagnostics diagnostics() {
        return diagnostics;
    }
}
