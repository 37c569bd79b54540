fn main() -> std::process::ExitCode {
    harava::run_command_line()
}
