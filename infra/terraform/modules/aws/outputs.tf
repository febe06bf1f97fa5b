output "jdbc_url" {
  value = "jdbc:postgresql://${aws_db_instance.trellis.address}:${aws_db_instance.trellis.port}/trellis?sslmode=require"
}

output "migration_user" {
  value = aws_db_instance.trellis.username
}

output "owner_secret_arn" {
  description = "The RDS-managed secret of the owner (JSON; its `password` property)."
  value       = aws_db_instance.trellis.master_user_secret[0].secret_arn
}

output "secret_names" {
  value = { for key, secret in aws_secretsmanager_secret.trellis : key => secret.name }
}

output "target_group_arn" {
  value = aws_lb_target_group.control_plane.arn
}

output "load_balancer_dns_name" {
  value = aws_lb.trellis.dns_name
}
