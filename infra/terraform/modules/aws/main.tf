# The managed pieces of a Trellis deployment on AWS: a Multi-AZ RDS PostgreSQL (its owner's password
# managed by RDS in Secrets Manager), an internet-facing Application Load Balancer whose target group
# health-checks the replicas' readiness endpoint, and the Secrets Manager secrets the cluster's
# External Secrets Operator reads. Secret values are put out of band (docs/operations.md), so they
# never pass through Terraform state.

terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60"
    }
  }
}

locals {
  tags = merge({ "app.kubernetes.io/part-of" = "trellis" }, var.tags)
}

resource "aws_db_subnet_group" "trellis" {
  name       = var.name
  subnet_ids = var.database_subnet_ids
  tags       = local.tags
}

resource "aws_security_group" "database" {
  name        = "${var.name}-database"
  description = "PostgreSQL from the control plane's pods"
  vpc_id      = var.vpc_id
  tags        = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "database_from_pods" {
  security_group_id            = aws_security_group.database.id
  referenced_security_group_id = var.pod_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_db_parameter_group" "trellis" {
  name   = var.name
  family = "postgres${var.postgres_major_version}"
  tags   = local.tags

  # Every replica holds a pool plus one LISTEN connection (docs/operations.md, Sizing).
  parameter {
    name         = "max_connections"
    value        = tostring(var.max_connections)
    apply_method = "pending-reboot"
  }
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }
}

resource "aws_db_instance" "trellis" {
  identifier     = var.name
  engine         = "postgres"
  engine_version = var.postgres_major_version
  instance_class = var.database_instance_class
  db_name        = "trellis"
  username       = "trellis_owner"
  # RDS keeps (and rotates) the owner's password in Secrets Manager; Flyway migrates as the owner.
  manage_master_user_password = true

  allocated_storage     = var.database_storage_gb
  max_allocated_storage = var.database_storage_gb * 4
  storage_type          = "gp3"
  storage_encrypted     = true

  multi_az               = true
  db_subnet_group_name   = aws_db_subnet_group.trellis.name
  vpc_security_group_ids = [aws_security_group.database.id]
  parameter_group_name   = aws_db_parameter_group.trellis.name
  publicly_accessible    = false

  backup_retention_period    = var.backup_retention_days
  backup_window              = "02:00-03:00"
  maintenance_window         = "sun:03:30-sun:04:30"
  copy_tags_to_snapshot      = true
  deletion_protection        = true
  skip_final_snapshot        = false
  final_snapshot_identifier  = "${var.name}-final"
  auto_minor_version_upgrade = true
  # Major upgrades are a planned step of docs/operations.md, never a surprise.
  allow_major_version_upgrade  = false
  performance_insights_enabled = true
  tags                         = local.tags
}

resource "aws_secretsmanager_secret" "trellis" {
  for_each    = toset(["master-key", "operator-key", "app-password"])
  name        = "${var.name}/${each.key}"
  description = "Trellis ${each.key}; the value is put out of band (docs/operations.md)"
  kms_key_id  = var.kms_key_id
  tags        = local.tags
}

resource "aws_security_group" "load_balancer" {
  name        = "${var.name}-load-balancer"
  description = "HTTPS to the Trellis control plane"
  vpc_id      = var.vpc_id
  tags        = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  for_each          = toset(var.allowed_cidrs)
  security_group_id = aws_security_group.load_balancer.id
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "to_pods" {
  security_group_id            = aws_security_group.load_balancer.id
  referenced_security_group_id = var.pod_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

resource "aws_lb" "trellis" {
  name               = var.name
  load_balancer_type = "application"
  internal           = false
  subnets            = var.public_subnet_ids
  security_groups    = [aws_security_group.load_balancer.id]
  # Long polls are held up to 60 s: the idle timeout must outlast them.
  idle_timeout               = 120
  drop_invalid_header_fields = true
  enable_deletion_protection = true
  tags                       = local.tags
}

resource "aws_lb_target_group" "control_plane" {
  name        = var.name
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id
  # A replica leaving answers its held long polls within the pod's grace period.
  deregistration_delay = 40
  health_check {
    path                = "/readyz"
    matcher             = "200"
    interval            = 5
    timeout             = 2
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
  tags = local.tags
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.trellis.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.control_plane.arn
  }
}
