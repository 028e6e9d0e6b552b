# bash completion for fastpathctl.
#
# The words come from `fastpathctl complete WORDS...`, which reads the same
# command syntax as the parser and asks fastpathd for the interfaces, routes,
# addresses and neighbours a command can take. Install it as
# /usr/share/bash-completion/completions/fastpathctl, or source it from ~/.bashrc.

_fastpathctl()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null 2>&1; then
		# ':' stays inside words: MAC and IPv6 addresses
		_init_completion -n : || return
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi

	# the options before the command; -s is passed on to ask the right daemon
	local ctl=${words[0]} i=1 sock=()
	[[ $ctl == \~* ]] && ctl=fastpathctl
	while ((i < cword)); do
		case ${words[i]} in
		-s | --socket)
			# bash splits --socket=PATH at the '='
			[[ ${words[i + 1]} == = ]] && ((i++))
			sock=(-s "${words[i + 1]}")
			((i += 2))
			;;
		--socket=*)
			sock=("${words[i]}")
			((i++))
			;;
		-f | --file)
			# a file of commands: nothing follows it
			[[ $prev == -f || $prev == --file ]] || return
			((i += 2))
			;;
		-*) ((i++)) ;;
		*) break ;;
		esac
	done
	[[ $prev == = ]] && prev=${words[cword - 2]}
	case $prev in
	-s | --socket | -f | --file)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	esac
	if ((i == cword)) && [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "-s --socket -j --json -f --file -h --help -V --version" -- "$cur")
		return
	fi

	local run=("$ctl")
	command -v timeout >/dev/null 2>&1 && run=(timeout 3 "$ctl")
	mapfile -t COMPREPLY < <("${run[@]}" "${sock[@]}" complete "${words[@]:i:cword-i}" "$cur" 2>/dev/null)
	# a directory goes on with its files
	if ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == */ ]]; then
		compopt -o nospace 2>/dev/null
	fi
	declare -F __ltrim_colon_completions >/dev/null 2>&1 && __ltrim_colon_completions "$cur"
	return 0
}

complete -F _fastpathctl fastpathctl
