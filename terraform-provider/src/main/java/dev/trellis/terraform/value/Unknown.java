package dev.trellis.terraform.value;

/** A value Terraform does not know yet ("known after apply"); travels as msgpack extension type 0. */
public enum Unknown {
    VALUE;

    @Override
    public String toString() {
        return "(unknown)";
    }
}
