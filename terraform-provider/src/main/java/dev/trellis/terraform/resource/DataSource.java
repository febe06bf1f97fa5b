package dev.trellis.terraform.resource;

import dev.trellis.terraform.api.TrellisApi;
import dev.trellis.terraform.schema.Block;
import java.util.Map;

/** One Terraform data source: reads an object of the Trellis API into the schema's type. */
public interface DataSource {

    String typeName();

    Block schema();

    Map<String, Object> read(TrellisApi api, Map<String, Object> config);
}
