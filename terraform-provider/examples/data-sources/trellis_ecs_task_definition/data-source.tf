# The task's own containers, written as for aws_ecs_task_definition.
locals {
  echo_containers = [{
    name         = "echo"
    image        = "example/echo:1.0"
    essential    = true
    portMappings = [{ containerPort = 8080, protocol = "tcp" }]
  }]
}

data "trellis_ecs_task_definition" "echo" {
  mesh                      = "shop"
  service                   = "echo"
  version                   = "v1"
  credential_secret_arn     = aws_secretsmanager_secret.echo_task_token.arn
  app_container_definitions = jsonencode(local.echo_containers)
}

resource "aws_ecs_task_definition" "echo" {
  family                   = "echo"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = aws_iam_role.execution.arn
  container_definitions    = data.trellis_ecs_task_definition.echo.container_definitions

  proxy_configuration {
    type           = data.trellis_ecs_task_definition.echo.proxy_type
    container_name = data.trellis_ecs_task_definition.echo.proxy_container_name
    properties     = data.trellis_ecs_task_definition.echo.proxy_properties
  }
}
