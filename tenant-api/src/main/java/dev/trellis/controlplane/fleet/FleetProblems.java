package dev.trellis.controlplane.fleet;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The fleet's own refusals as problem documents; everything else goes to the application's problem advice. */
@RestControllerAdvice(basePackageClasses = FleetProblems.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class FleetProblems {

    @ExceptionHandler(JoinTokenRefused.class)
    ProblemDetail refused(JoinTokenRefused e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, e.getMessage());
        problem.setTitle("Unauthorized");
        return problem;
    }
}
